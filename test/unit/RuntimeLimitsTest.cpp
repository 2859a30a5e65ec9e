// test/unit/RuntimeLimitsTest.cpp - sizes the runtime's arithmetic must not
// overflow (found by fuzzing, test/fuzz/regressions/runtime): a descriptor
// whose tensor has more than 2^63 bytes is refused, a batch that makes a
// tensor that large is an argument error, not undefined behavior, and so is
// a caller's negative dimension (it matched the descriptor's -1).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "strata/runtime.h"

namespace {

int32_t noEntry(void **) { return 0; }

const int64_t kHuge[] = {int64_t(1) << 40, int64_t(1) << 40};
const int64_t kBatched[] = {-1, 1 << 20};

strata_model_desc descriptor(const strata_tensor_desc *inputs, uint32_t flags) {
  strata_model_desc desc{};
  desc.abi_version = STRATA_MODEL_ABI_VERSION;
  desc.num_inputs = 1;
  desc.flags = flags;
  desc.model_name = "limits";
  desc.inputs = inputs;
  desc.entry = noEntry;
  return desc;
}

TEST(RuntimeLimits, DescriptorOfMoreThan2To63BytesIsRefused) {
  const strata_tensor_desc input = {"x", STRATA_DTYPE_F32, 2, kHuge};
  strata_model_desc desc = descriptor(&input, 0);
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_from_desc(&desc, &model), STRATA_ERROR_ABI);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(strata_last_error()).find("more than 2^63 bytes"),
            std::string::npos)
      << strata_last_error();
}

/// The message of running a batch-loop model of input x [-1, 2^20] on a
/// tensor of `shape`, which must be refused as an invalid argument.
std::string refusedRun(const int64_t *shape) {
  const strata_tensor_desc input = {"x", STRATA_DTYPE_F32, 2, kBatched};
  strata_model_desc desc = descriptor(&input, STRATA_MODEL_FLAG_BATCH_LOOP);
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_from_desc(&desc, &model), STRATA_OK)
      << strata_last_error();
  float dummy = 0;
  strata_tensor tensor = {&dummy, STRATA_DTYPE_F32, 2, shape};
  EXPECT_EQ(strata_model_run(model, &tensor, 1, nullptr, 0),
            STRATA_ERROR_INVALID_ARGUMENT);
  std::string error = strata_last_error();
  strata_model_free(model);
  return error;
}

TEST(RuntimeLimits, BatchThatOverflowsIsAnArgumentError) {
  const int64_t shape[] = {int64_t(1) << 50, 1 << 20};
  std::string error = refusedRun(shape);
  EXPECT_NE(error.find("larger than 2^63 bytes"), std::string::npos) << error;
}

TEST(RuntimeLimits, NegativeDimensionIsAnArgumentError) {
  // The descriptor's -1 (the batch) is not a size a caller may pass back.
  std::string error = refusedRun(kBatched);
  EXPECT_NE(error.find("input 0 ('x'): shape [-1,1048576] has a negative "
                       "dimension"),
            std::string::npos)
      << error;
}

int calls = 0;
int32_t countingEntry(void **) {
  ++calls;
  return 0;
}

TEST(RuntimeLimits, EmptySamplesRunOnceAndAnEmptyBatchNeedsNoUnbatchedOutput) {
  // x [-1, 0] (nothing per sample) and an unbatched output y [2].
  const int64_t xShape[] = {-1, 0}, yShape[] = {2};
  const strata_tensor_desc input = {"x", STRATA_DTYPE_F32, 2, xShape};
  const strata_tensor_desc output = {"y", STRATA_DTYPE_F32, 1, yShape};
  strata_model_desc desc = descriptor(&input, STRATA_MODEL_FLAG_BATCH_LOOP);
  desc.num_outputs = 1;
  desc.outputs = &output;
  desc.entry = countingEntry;
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(&desc, &model), STRATA_OK)
      << strata_last_error();
  float y[2];
  const int64_t huge[] = {int64_t(1) << 40, 0};
  strata_tensor x = {nullptr, STRATA_DTYPE_F32, 2, huge};
  strata_tensor out = {y, STRATA_DTYPE_F32, 1, yShape};
  calls = 0;
  EXPECT_EQ(strata_model_run(model, &x, 1, &out, 1), STRATA_OK)
      << strata_last_error();
  EXPECT_EQ(calls, 1); // not 2^40
  const int64_t none[] = {0, 0};
  x.shape = none;
  EXPECT_EQ(strata_model_run(model, &x, 1, &out, 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(strata_last_error()).find("a batch of 0 samples"),
            std::string::npos)
      << strata_last_error();
  strata_model_free(model);
}

} // namespace
