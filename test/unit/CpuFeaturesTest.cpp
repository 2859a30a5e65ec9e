// test/unit/CpuFeaturesTest.cpp - the runtime's CPU checks: a descriptor
// (ABI v3) that asks for features or an architecture this machine lacks is
// refused before any of its code runs, with a message naming what is
// missing; feature names print as LLVM spells them.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>

#include "strata/runtime.h"

namespace {

const strata_model_desc *fakeDescriptor(const char *symbol) {
  static void *handle = dlopen(STRATA_FAKE_MODEL_PATH, RTLD_NOW | RTLD_LOCAL);
  return handle ? static_cast<const strata_model_desc *>(dlsym(handle, symbol))
                : nullptr;
}

std::string featureNames(uint64_t features) {
  char buffer[512];
  size_t length = strata_cpu_feature_names(features, buffer, sizeof buffer);
  EXPECT_EQ(length, std::string(buffer).size());
  return buffer;
}

/// The message of loading the fake library's descriptor `symbol`, which
/// must be refused as STRATA_ERROR_UNSUPPORTED_CPU without a model.
std::string refusal(const char *symbol) {
  const strata_model_desc *desc = fakeDescriptor(symbol);
  EXPECT_NE(desc, nullptr) << symbol;
  if (!desc)
    return "";
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_from_desc(desc, &model), STRATA_ERROR_UNSUPPORTED_CPU);
  EXPECT_EQ(model, nullptr);
  return strata_last_error();
}

TEST(CpuFeatures, MissingFeatureIsRefusedWithItsName) {
  std::string error = refusal("strata_fake_future_cpu_descriptor");
  EXPECT_NE(error.find("target 'future' (cpu cpu-of-2040)"), std::string::npos)
      << error;
  EXPECT_NE(error.find("lacks: bit63"), std::string::npos) << error;
  EXPECT_NE(error.find("--target=x86-64"), std::string::npos) << error;
  EXPECT_STREQ(strata_status_string(STRATA_ERROR_UNSUPPORTED_CPU),
               "unsupported CPU");
}

TEST(CpuFeatures, OtherArchitectureIsRefused) {
  std::string error = refusal("strata_fake_other_arch_descriptor");
  EXPECT_NE(error.find("compiled for an unknown architecture (target "
                       "'elsewhere')"),
            std::string::npos)
      << error;
}

TEST(CpuFeatures, PortableDescriptorsLoadAnywhere) {
  strata_model *model = nullptr;
  strata_load_options options = {sizeof options, STRATA_LOAD_SKIP_CHECKSUM, 0, 0, nullptr};
  ASSERT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_OK)
      << strata_last_error();
  strata_model_free(model);
}

TEST(CpuFeatures, NamesAreLlvmFeatureNames) {
  EXPECT_EQ(featureNames(0), "");
  EXPECT_EQ(featureNames(STRATA_CPU(X86_AVX2) | STRATA_CPU(X86_FMA)),
            "avx2, fma");
  EXPECT_EQ(featureNames(STRATA_CPU(X86_SSE4_1) | STRATA_CPU(X86_AMX_TILE)),
            "sse4.1, amx-tile");
  EXPECT_EQ(featureNames(STRATA_CPU_X86_64_V4 & ~STRATA_CPU_X86_64_V3),
            "avx512f, avx512cd, avx512bw, avx512dq, avx512vl");
  // Truncation keeps the terminator and reports the whole length.
  char small[6];
  EXPECT_EQ(strata_cpu_feature_names(STRATA_CPU(X86_AVX512VNNI), small,
                                     sizeof small),
            std::string("avx512vnni").size());
  EXPECT_STREQ(small, "avx51");
}

TEST(CpuFeatures, LevelsNest) {
  EXPECT_EQ(STRATA_CPU_X86_64_V2 & ~STRATA_CPU_X86_64_V3, 0u);
  EXPECT_EQ(STRATA_CPU_X86_64_V3 & ~STRATA_CPU_X86_64_V4, 0u);
#if defined(__x86_64__)
  EXPECT_EQ(strata_cpu_arch(), uint32_t(STRATA_ARCH_X86_64));
  // Every machine strata is built on runs x86-64-v2 code.
  uint64_t have = strata_cpu_features();
  EXPECT_EQ(have & STRATA_CPU_X86_64_V2, STRATA_CPU_X86_64_V2)
      << featureNames(have);
  // AVX-512 needs AVX: CPUID and the OS state checks agree.
  if (have & STRATA_CPU(X86_AVX512F))
    EXPECT_TRUE(have & STRATA_CPU(X86_AVX2));
#endif
}

} // namespace
