/* keep_loaded.c - preloaded by scripts/sanitizers.sh for the asan suite:
 * dlclose does nothing, so libraries loaded at run time (Vulkan drivers and
 * layers) stay mapped until exit. They keep allocations in their globals; once
 * unloaded, LeakSanitizer no longer sees those pointers and reports the blocks
 * as leaks from an "<unknown module>". Built without sanitizers, as the
 * script preloads it into every process of the suite (compilers included). */
__attribute__((visibility("default"))) int dlclose(void* handle) {
    (void)handle;
    return 0;
}
