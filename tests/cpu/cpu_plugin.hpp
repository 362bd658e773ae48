// cpu_plugin.hpp - the CPU backend's plugin table and owning handles for its
// backends and prepared models, for the tests that call the table directly.
//
//   sgtest::cpu::Backend backend(2);
//   sgtest::cpu::Prepared prepared(backend, model);
//   sgtest::cpu::table().generate(backend.get(), prepared.get(), &batch, out, error, sizeof error);
//
// Creation failures are test failures (EXPECT), with the backend's message.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "stylegen_plugin.h"
#include "test_model.hpp"

namespace sgtest::cpu {

inline const SgpPluginTable& table() { return *sgpCpuPluginTable(); }

class Backend {
public:
    explicit Backend(uint32_t threads) {
        SgpBackendCreateInfo info{};
        info.threadCount = threads;
        char error[256] = "";
        EXPECT_EQ(table().createBackend(&info, &backend_, error, sizeof error), SGP_SUCCESS) << error;
    }
    ~Backend() { table().destroyBackend(backend_); }
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;
    SgpBackend get() const { return backend_; }

private:
    SgpBackend backend_ = nullptr;
};

class Prepared {
public:
    Prepared(const Backend& backend, TestModel& model) : backend_(backend.get()) {
        char error[256] = "";
        EXPECT_EQ(table().prepareModel(backend_, &model.desc(), &model_, error, sizeof error), SGP_SUCCESS) << error;
    }
    ~Prepared() { table().destroyModel(backend_, model_); }
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;
    SgpPreparedModel get() const { return model_; }

private:
    SgpBackend backend_;
    SgpPreparedModel model_ = nullptr;
};

}  // namespace sgtest::cpu
