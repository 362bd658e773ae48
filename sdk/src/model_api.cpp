// model_api.cpp - the model entry points: load (file or memory), destroy, queries.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_guard.hpp"
#include "context.hpp"
#include "model.hpp"
#include "model_file.hpp"

SgModel_T::~SgModel_T() {
    if (prepared) context->backend->table().destroyModel(context->backend->handle(), prepared);
    if (cpuPrepared) {
        const sg::Backend& cpu = *context->cpuBackend();
        cpu.table().destroyModel(cpu.handle(), cpuPrepared);
    }
}

namespace {

constexpr size_t kPluginErrorSize = 512;
constexpr size_t kFirstReadSize = size_t(1) << 16;

SgContext contextOf(SgModel model) { return model ? model->context : nullptr; }

std::string errnoText(int error) {
    char buffer[256];
    return strerror_r(error, buffer, sizeof(buffer));  // the GNU variant: returns the message
}

std::string tooLarge(const std::string& source, const std::string& size, uint64_t limit) {
    return source + " is " + size + " bytes, more than the context's limit of " + std::to_string(limit) +
           " bytes (SgContextLimits::maxModelFileBytes)";
}

// Reads a whole file into memory from the context's allocator. Grows the
// buffer as it goes, so pipes and files that change size read correctly too;
// never holds more than limit + 1 bytes.
SgResult readFile(const sg::ApiCall& call, const sg::HostAllocator& allocator, const char* path, uint64_t limit,
                  sg::HostBuffer* buffer, size_t* size) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return call.fail(SG_ERROR_IO, std::string("cannot open '") + path + "': " + errnoText(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return call.fail(SG_ERROR_IO, std::string("cannot stat '") + path + "': " + errnoText(errno));
    if (S_ISDIR(st.st_mode)) return call.fail(SG_ERROR_IO, std::string("'") + path + "' is a directory");
    const std::string source = std::string("'") + path + "'";
    if (S_ISREG(st.st_mode) && uint64_t(st.st_size) > limit)
        return call.fail(SG_ERROR_OUT_OF_MEMORY, tooLarge(source, std::to_string(st.st_size), limit));
    // One byte more than the file so end-of-file shows up without growing.
    const uint64_t most = std::min<uint64_t>(limit, SIZE_MAX - 1) + 1;
    size_t capacity = size_t(std::min<uint64_t>(
        S_ISREG(st.st_mode) && st.st_size > 0 ? uint64_t(st.st_size) + 1 : kFirstReadSize, most));
    try {
        *buffer = sg::HostBuffer(allocator, capacity, alignof(std::max_align_t));
    } catch (const std::bad_alloc&) {
        return call.fail(SG_ERROR_OUT_OF_MEMORY, std::string("out of host memory reading '") + path + "'");
    }
    size_t used = 0;
    for (;;) {
        if (used == capacity) {
            if (capacity >= most)
                return call.fail(SG_ERROR_OUT_OF_MEMORY, tooLarge(source, "over " + std::to_string(limit), limit));
            const size_t grown = size_t(std::min<uint64_t>(uint64_t(capacity) * 2, most));
            if (!buffer->resize(grown))
                return call.fail(SG_ERROR_OUT_OF_MEMORY, std::string("out of host memory reading '") + path + "'");
            capacity = grown;
        }
        const ssize_t n = ::read(fd, static_cast<uint8_t*>(buffer->data()) + used, capacity - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return call.fail(SG_ERROR_IO, std::string("cannot read '") + path + "': " + errnoText(errno));
        }
        if (n == 0) break;
        used += size_t(n);
    }
    *size = used;
    return SG_SUCCESS;
}

SgResult loadModel(const sg::ApiCall& call, SgContext context, const uint8_t* data, size_t size,
                   const std::string& source, SgModel* pModel) {
    std::unique_ptr<SgModel_T, sg::HostDeleter<SgModel_T>> model(context->allocator.create<SgModel_T>(context),
                                                                 {&context->allocator});
    std::string error;
    const sg::Limits& limits = context->limits;
    if (size > limits.maxModelFileBytes)
        return call.fail(SG_ERROR_OUT_OF_MEMORY, tooLarge(source, std::to_string(size), limits.maxModelFileBytes));
    sg::ModelFileLimits fileLimits;
    fileLimits.maxTensors = limits.maxModelTensors;
    fileLimits.maxJsonBytes = limits.maxModelHeaderBytes;
    fileLimits.maxValueBytes = limits.maxModelWeightBytes;
    const SgResult result = sg::loadModelData(data, size, context->allocator, &model->data, &error, fileLimits);
    if (result != SG_SUCCESS) return call.fail(result, source + ": " + error);

    const sg::Backend& backend = *context->backend;
    const SgpModelDesc desc = model->data.desc();
    char message[kPluginErrorSize] = {};
    // After a device loss the model is prepared for the CPU fallback only, when generation first needs it.
    const SgpResult prepared = context->cpuFallback() ? SGP_SUCCESS
                                                      : backend.table().prepareModel(backend.handle(), &desc,
                                                                                     &model->prepared, message,
                                                                                     sizeof(message));
    message[sizeof(message) - 1] = '\0';
    if (prepared == SGP_ERROR_DEVICE_LOST) {
        model->prepared = nullptr;
        SgResult result = SG_SUCCESS;
        std::string error;
        if (!context->startCpuFallback(message[0] ? message : "no reason given", &result, &error))
            return call.fail(result, error);
    } else if (prepared != SGP_SUCCESS) {
        model->prepared = nullptr;
        return call.fail(sg::fromPluginResult(prepared), source + ": the " + backend.name() +
                                                             " backend cannot prepare the model: " +
                                                             (message[0] ? message : "no reason given"));
    }
    const sg::ModelData& m = model->data;
    context->log(SG_LOG_LEVEL_INFO, "loaded model '" + m.name + "' from " + source + ": " +
                                        (m.arch.kind == SGP_MODEL_KIND_SCENE ? "scene" : "character") + ", " +
                                        std::to_string(m.arch.resolution) + " px, " +
                                        std::to_string(m.arch.styleCount) + " styles, content hash " +
                                        sg::toHex(m.contentHash.data(), 8));
    context->addModel(model.get());
    *pModel = model.release();
    return SG_SUCCESS;
}

}  // namespace

extern "C" {

SG_API SgResult sgLoadModelFromFile(SgContext context, const char* pPath, SgModel* pModel) {
    return sg::guard(context, "sgLoadModelFromFile", [&](const sg::ApiCall& call) {
        SG_CHECK(pModel != nullptr, SG_ERROR_INVALID_ARGUMENT, "pModel is NULL");
        *pModel = nullptr;
        SG_CHECK(context != nullptr, SG_ERROR_INVALID_ARGUMENT, "context is NULL");
        SG_CHECK(pPath != nullptr, SG_ERROR_INVALID_ARGUMENT, "pPath is NULL");
        SG_CHECK(pPath[0] != '\0', SG_ERROR_INVALID_ARGUMENT, "pPath is empty");
        sg::HostBuffer bytes;
        size_t size = 0;
        const SgResult read =
            readFile(call, context->allocator, pPath, context->limits.maxModelFileBytes, &bytes, &size);
        if (read != SG_SUCCESS) return read;
        return loadModel(call, context, static_cast<const uint8_t*>(bytes.data()), size,
                         std::string("'") + pPath + "'", pModel);
    });
}

SG_API SgResult sgLoadModelFromMemory(SgContext context, const void* pData, size_t size, SgModel* pModel) {
    return sg::guard(context, "sgLoadModelFromMemory", [&](const sg::ApiCall& call) {
        SG_CHECK(pModel != nullptr, SG_ERROR_INVALID_ARGUMENT, "pModel is NULL");
        *pModel = nullptr;
        SG_CHECK(context != nullptr, SG_ERROR_INVALID_ARGUMENT, "context is NULL");
        SG_CHECK(pData != nullptr, SG_ERROR_INVALID_ARGUMENT, "pData is NULL");
        SG_CHECK(size > 0, SG_ERROR_INVALID_ARGUMENT, "size is 0");
        return loadModel(call, context, static_cast<const uint8_t*>(pData), size, "model in memory", pModel);
    });
}

SG_API void sgDestroyModel(SgContext context, SgModel model) {
    if (!model) return;
    sg::guardVoid(context, "sgDestroyModel", [&](const sg::ApiCall& call) {
        if (!context) {
            call.fail(SG_ERROR_INVALID_ARGUMENT, "context is NULL; the model was not destroyed");
            return;
        }
        // Checked before the model is touched: a foreign or already destroyed
        // handle is never dereferenced.
        if (!context->removeModel(model)) {
            call.fail(SG_ERROR_INVALID_ARGUMENT, "model is not a live model of this context; nothing destroyed");
            return;
        }
        context->allocator.destroy(model);
    });
}

SG_API SgResult sgGetModelInfo(SgModel model, SgModelInfo* pInfo) {
    return sg::guard(contextOf(model), "sgGetModelInfo", [&](const sg::ApiCall& call) {
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(pInfo != nullptr, SG_ERROR_INVALID_ARGUMENT, "pInfo is NULL");
        SG_CHECK(pInfo->sType == SG_STRUCTURE_TYPE_MODEL_INFO, SG_ERROR_INVALID_ARGUMENT,
                 "pInfo->sType is " + std::to_string(int(pInfo->sType)) + ", expected SG_STRUCTURE_TYPE_MODEL_INFO");
        const sg::ModelData& m = model->data;
        pInfo->kind = m.arch.kind == SGP_MODEL_KIND_SCENE ? SG_MODEL_KIND_SCENE : SG_MODEL_KIND_CHARACTER;
        pInfo->resolution = m.arch.resolution;
        pInfo->blockSize = m.blockSize();
        pInfo->channels = m.arch.imgChannels;
        pInfo->styleCount = m.arch.styleCount;
        pInfo->tileable = m.arch.padding == SGP_PADDING_CIRCULAR ? SG_TRUE : SG_FALSE;
        pInfo->wLayerCount = m.wLayerCount();
        std::memcpy(pInfo->contentHash, m.contentHash.data(), sizeof(pInfo->contentHash));
        pInfo->pName = m.name.c_str();
        // Chained structs this version knows are filled in; others are left alone.
        for (auto* next = static_cast<SgModelInfo*>(pInfo->pNext); next; next = static_cast<SgModelInfo*>(next->pNext)) {
            if (next->sType == SG_STRUCTURE_TYPE_MODEL_RESTYLE_INFO) {
                reinterpret_cast<SgModelRestyleInfo*>(next)->restyleSupported =
                    m.arch.encoderStageCount > 0 ? SG_TRUE : SG_FALSE;
            } else if (next->sType == SG_STRUCTURE_TYPE_MODEL_PATTERN_INFO) {
                auto* pattern = reinterpret_cast<SgModelPatternInfo*>(next);
                pattern->patternPeriod = m.arch.inputPeriod * m.blockSize();
                pattern->generateOffset = m.periodicOffset * m.blockSize();
            }
        }
        return SG_SUCCESS;
    });
}

SG_API SgResult sgGetStyleName(SgModel model, uint32_t index, const char** ppName) {
    return sg::guard(contextOf(model), "sgGetStyleName", [&](const sg::ApiCall& call) {
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(ppName != nullptr, SG_ERROR_INVALID_ARGUMENT, "ppName is NULL");
        const std::vector<std::string>& styles = model->data.styles;
        SG_CHECK(index < styles.size(), SG_ERROR_INVALID_ARGUMENT,
                 "style index " + std::to_string(index) + " is out of range: the model has " +
                     std::to_string(styles.size()) + " styles");
        *ppName = styles[index].c_str();
        return SG_SUCCESS;
    });
}

SG_API SgResult sgFindStyle(SgModel model, const char* pName, uint32_t* pIndex) {
    return sg::guard(contextOf(model), "sgFindStyle", [&](const sg::ApiCall& call) {
        SG_CHECK(model != nullptr, SG_ERROR_INVALID_ARGUMENT, "model is NULL");
        SG_CHECK(pName != nullptr, SG_ERROR_INVALID_ARGUMENT, "pName is NULL");
        SG_CHECK(pIndex != nullptr, SG_ERROR_INVALID_ARGUMENT, "pIndex is NULL");
        const std::vector<std::string>& styles = model->data.styles;
        for (uint32_t i = 0; i < styles.size(); ++i) {
            if (styles[i] == pName) {
                *pIndex = i;
                return SG_SUCCESS;
            }
        }
        std::string list;
        for (const std::string& s : styles) list += (list.empty() ? "" : ", ") + s;
        return call.fail(SG_ERROR_INVALID_ARGUMENT,
                         std::string("no style named '") + pName + "' in model '" + model->data.name +
                             "'; its styles are: " + list);
    });
}

}  // extern "C"
