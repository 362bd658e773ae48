/* c_minimal - the stylegen C API from C99, start to finish: create a context,
 * load a model, list its styles, generate a few textures of each of the
 * first styles, write them as PNGs, and deal with every SgResult.
 *
 *   c_minimal [MODEL.sgm [OUTPUT_DIR]]
 *
 * Defaults: the characters model found at build time, the current folder.
 * Exit code: 0 on success, 1 on any error (the message says which and why).
 * Built with -std=c99 -pedantic -Werror: nothing here needs more than C99. */
#include <stylegen/stylegen.h>

#include <stb_image_write.h> /* Debian's libstb-dev: pkg-config stb */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SAMPLE_DEFAULT_MODEL
#define SAMPLE_DEFAULT_MODEL "characters.sgm"
#endif

enum { kSeedsPerStyle = 4, kStylesToGenerate = 3, kFirstSeed = 2024 };

/* What a program should do about each result. Every SgResult is listed, so a
 * new one added to the header shows up here as a -Wswitch warning. */
static const char* advice(SgResult result) {
    switch (result) {
        case SG_SUCCESS: return "no error";
        case SG_ERROR_INVALID_ARGUMENT: return "a bug in the caller: fix the argument the message names";
        case SG_ERROR_OUT_OF_MEMORY: return "free memory or generate fewer images per call, then retry";
        case SG_ERROR_BAD_MODEL_FILE: return "the .sgm is damaged or not a model: replace the file";
        case SG_ERROR_UNSUPPORTED: return "this library or backend cannot do it: choose another model or backend";
        case SG_ERROR_DEVICE_LOST: return "the backend's device failed: destroy and recreate the context";
        case SG_ERROR_IO: return "the file could not be read: check the path and its permissions";
        case SG_ERROR_INTERNAL: return "a bug in stylegen: report the message";
        case SG_ERROR_INCOMPATIBLE_VERSION: return "the library is older than this program's header: update it";
        case SG_RESULT_MAX_ENUM: break;
    }
    return "an unknown result (a newer library?)";
}

/* Prints a failed call's result, the SDK's message and what to do; returns 0
 * when the call succeeded. ctx may be NULL (sgCreateContext failed). */
static int failed(SgResult result, SgContext ctx, const char* what) {
    if (result == SG_SUCCESS) return 0;
    fprintf(stderr, "c_minimal: %s failed: %s: %s\n  -> %s\n", what, sgResultString(result),
            sgGetLastErrorMessage(ctx), advice(result));
    return 1;
}

/* The SDK's warnings and errors, as it reports them. */
static void logMessage(void* pUserData, SgLogLevel level, const char* pMessage) {
    (void)pUserData;
    if (level >= SG_LOG_LEVEL_WARNING) fprintf(stderr, "stylegen: %s\n", pMessage);
}

/* Generates kSeedsPerStyle images of one style and writes each as a PNG. */
static int generateStyle(SgContext ctx, SgModel model, const SgModelInfo* info, uint32_t style,
                         const char* outputDir) {
    const char* name = NULL;
    SgGenerateInfo gi;
    SgImageBuffer out;
    size_t imageBytes = (size_t)info->resolution * info->resolution * 4;
    uint32_t i;
    int status = 0;

    if (failed(sgGetStyleName(model, style, &name), ctx, "sgGetStyleName")) return 1;
    memset(&gi, 0, sizeof gi);
    gi.sType = SG_STRUCTURE_TYPE_GENERATE_INFO;
    gi.count = kSeedsPerStyle;
    gi.firstSeed = kFirstSeed; /* seeds 2024 .. 2027 */
    gi.styleIndex = style;
    gi.truncationPsi = 0.8f;   /* a little toward the style's typical look */
    gi.noiseStrength = 1.0f;
    gi.format = SG_FORMAT_R8G8B8A8_UNORM;
    gi.alphaMode = SG_ALPHA_MODE_STRAIGHT; /* what PNG stores */

    memset(&out, 0, sizeof out);
    out.sType = SG_STRUCTURE_TYPE_IMAGE_BUFFER;
    out.size = gi.count * imageBytes;
    out.pData = malloc(out.size);
    if (!out.pData) {
        fprintf(stderr, "c_minimal: out of memory for %u images\n", gi.count);
        return 1;
    }
    if (failed(sgGenerate(ctx, model, &gi, &out), ctx, "sgGenerate")) {
        free(out.pData);
        return 1;
    }
    for (i = 0; i < gi.count && status == 0; ++i) {
        char path[1024];
        const unsigned char* pixels = (const unsigned char*)out.pData + i * imageBytes;
        snprintf(path, sizeof path, "%s/c_minimal_%s_%u.png", outputDir, name, (unsigned)(gi.firstSeed + i));
        if (!stbi_write_png(path, (int)info->resolution, (int)info->resolution, 4, pixels,
                            (int)info->resolution * 4)) {
            fprintf(stderr, "c_minimal: cannot write %s\n", path);
            status = 1;
        } else {
            printf("wrote %s\n", path);
        }
    }
    free(out.pData);
    return status;
}

int main(int argc, char** argv) {
    const char* modelPath = argc > 1 ? argv[1] : SAMPLE_DEFAULT_MODEL;
    const char* outputDir = argc > 2 ? argv[2] : ".";
    SgContextCreateInfo ci;
    SgContextInfo contextInfo;
    SgModelInfo info;
    SgContext ctx = NULL;
    SgModel model = NULL;
    uint32_t style, orcs;
    int status = 1;

    printf("stylegen library %u.%u.%u, header %u.%u.%u\n", SG_VERSION_MAJOR(sgGetVersion()),
           SG_VERSION_MINOR(sgGetVersion()), SG_VERSION_PATCH(sgGetVersion()), SG_VERSION_MAJOR(SG_API_VERSION),
           SG_VERSION_MINOR(SG_API_VERSION), SG_VERSION_PATCH(SG_API_VERSION));

    memset(&ci, 0, sizeof ci);
    ci.sType = SG_STRUCTURE_TYPE_CONTEXT_CREATE_INFO;
    ci.apiVersion = SG_API_VERSION; /* SG_ERROR_INCOMPATIBLE_VERSION if the library is older */
    ci.threadCount = 0;             /* one worker per hardware thread */
    ci.backendPreference = SG_BACKEND_PREFERENCE_AUTO;
    ci.pfnLog = logMessage;
    if (failed(sgCreateContext(&ci, NULL, &ctx), NULL, "sgCreateContext")) return 1;

    memset(&contextInfo, 0, sizeof contextInfo);
    contextInfo.sType = SG_STRUCTURE_TYPE_CONTEXT_INFO;
    if (failed(sgGetContextInfo(ctx, &contextInfo), ctx, "sgGetContextInfo")) goto done;
    printf("backend: %s\n", contextInfo.pBackendDescription);

    if (failed(sgLoadModelFromFile(ctx, modelPath, &model), ctx, "sgLoadModelFromFile")) goto done;
    memset(&info, 0, sizeof info);
    info.sType = SG_STRUCTURE_TYPE_MODEL_INFO;
    if (failed(sgGetModelInfo(model, &info), ctx, "sgGetModelInfo")) goto done;
    printf("model '%s': %s, %ux%u, %u styles:\n", info.pName,
           info.kind == SG_MODEL_KIND_SCENE ? "scene (tileable)" : "character", info.resolution, info.resolution,
           info.styleCount);
    for (style = 0; style < info.styleCount; ++style) {
        const char* name = NULL;
        if (failed(sgGetStyleName(model, style, &name), ctx, "sgGetStyleName")) goto done;
        printf("  %2u  %s\n", style, name);
    }

    /* A style by name: a model without it answers SG_ERROR_INVALID_ARGUMENT,
     * whose message lists the styles it has. Not fatal here. */
    if (sgFindStyle(model, "orcs", &orcs) == SG_SUCCESS) printf("'orcs' is style %u\n", orcs);
    else printf("no 'orcs' in this model (%s)\n", sgGetLastErrorMessage(ctx));

    for (style = 0; style < info.styleCount && style < kStylesToGenerate; ++style) {
        if (generateStyle(ctx, model, &info, style, outputDir) != 0) goto done;
    }
    status = 0;

done:
    sgDestroyModel(ctx, model); /* both accept NULL */
    sgDestroyContext(ctx, NULL);
    return status;
}
