// vulkan_interposer.hpp - a vkGetInstanceProcAddr to hand the SDK instead of
// the loader's: it counts lookups, can hide one function (NULL, as a driver
// without it would return), and can make vkGetSemaphoreCounterValue report a
// lost device or a value that lags behind the semaphore's. Everything else is
// the real loader and driver underneath.
// State is global (function pointers carry no user data): one test at a time.
#pragma once

#include <cstring>
#include <string>

#include <vulkan/vulkan.h>

namespace sgtest {

class Interposer {
public:
    // Clears what tests set; the real functions looked up stay, since a
    // device created through the interposer may still call them.
    static void reset() {
        state().hidden.clear();
        state().deviceLost = false;
        state().counterReadsZero = false;
        state().instanceLookups = 0;
        state().deviceLookups = 0;
    }
    static void hide(const char* name) {
        reset();
        state().hidden = name;
    }
    static void loseDevice(bool lost) { state().deviceLost = lost; }
    // vkGetSemaphoreCounterValue reads 0 whatever was signalled.
    static void counterReadsZero(bool zero) { state().counterReadsZero = zero; }
    static int instanceLookups() { return state().instanceLookups; }
    static int deviceLookups() { return state().deviceLookups; }

    static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL getInstanceProcAddr(VkInstance instance, const char* name) {
        ++state().instanceLookups;
        if (state().hidden == name) return nullptr;
        if (std::strcmp(name, "vkGetDeviceProcAddr") == 0) {
            state().realGetDeviceProcAddr =
                reinterpret_cast<PFN_vkGetDeviceProcAddr>(vkGetInstanceProcAddr(instance, name));
            return reinterpret_cast<PFN_vkVoidFunction>(&getDeviceProcAddr);
        }
        return vkGetInstanceProcAddr(instance, name);
    }

private:
    struct State {
        std::string hidden;
        bool deviceLost = false;
        bool counterReadsZero = false;
        int instanceLookups = 0;
        int deviceLookups = 0;
        PFN_vkGetDeviceProcAddr realGetDeviceProcAddr = nullptr;
        PFN_vkGetSemaphoreCounterValue realCounterValue = nullptr;
    };
    static State& state() {
        static State s;
        return s;
    }

    static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL getDeviceProcAddr(VkDevice device, const char* name) {
        ++state().deviceLookups;
        if (state().hidden == name) return nullptr;
        const PFN_vkVoidFunction real = state().realGetDeviceProcAddr(device, name);
        if (std::strcmp(name, "vkGetSemaphoreCounterValue") == 0 ||
            std::strcmp(name, "vkGetSemaphoreCounterValueKHR") == 0) {
            state().realCounterValue = reinterpret_cast<PFN_vkGetSemaphoreCounterValue>(real);
            return reinterpret_cast<PFN_vkVoidFunction>(&counterValue);
        }
        return real;
    }

    static VKAPI_ATTR VkResult VKAPI_CALL counterValue(VkDevice device, VkSemaphore semaphore, uint64_t* value) {
        if (state().deviceLost) return VK_ERROR_DEVICE_LOST;
        if (state().counterReadsZero) {
            *value = 0;
            return VK_SUCCESS;
        }
        return state().realCounterValue(device, semaphore, value);
    }
};

}  // namespace sgtest
