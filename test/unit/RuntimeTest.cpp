// test/unit/RuntimeTest.cpp - the C runtime against a hand-written model
// library (fake_model.c): loading, running, and every misuse it must report.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include "strata/runtime.h"

namespace {

const int64_t kShape23[] = {2, 3};

void *fakeLibrary() {
  static void *handle = dlopen(STRATA_FAKE_MODEL_PATH, RTLD_NOW | RTLD_LOCAL);
  return handle;
}

// Fetches one of the fake library's extra descriptors.
const strata_model_desc *fakeDescriptor(const char *symbol) {
  void *handle = fakeLibrary();
  return handle ? static_cast<const strata_model_desc *>(dlsym(handle, symbol))
                : nullptr;
}

std::string lastError() { return strata_last_error(); }

// fake_model.c is hand-written: it has no integrity note, whose checks the
// pytests cover on libraries strata-compile writes.
strata_status loadFake(strata_model **model) {
  strata_load_options options = {sizeof options, STRATA_LOAD_SKIP_CHECKSUM, 0, 0, nullptr};
  return strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, model);
}

class FakeModel : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(loadFake(&model), STRATA_OK)
        << lastError();
    for (int i = 0; i < 6; ++i) {
      a[i] = float(i);
      b[i] = 10.0f * float(i);
    }
    inputs[0] = {a, STRATA_DTYPE_F32, 2, kShape23};
    inputs[1] = {b, STRATA_DTYPE_F32, 2, kShape23};
    outputs[0] = {sum, STRATA_DTYPE_F32, 2, kShape23};
  }
  void TearDown() override { strata_model_free(model); }

  strata_status run() { return strata_model_run(model, inputs, 2, outputs, 1); }

  strata_model *model = nullptr;
  float a[6], b[6], sum[6] = {};
  strata_tensor inputs[2], outputs[1];
};

TEST_F(FakeModel, RunComputesSum) {
  ASSERT_EQ(run(), STRATA_OK) << lastError();
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(sum[i], 11.0f * float(i));
}

TEST_F(FakeModel, DescriptorAccessors) {
  const strata_model_desc *desc = strata_model_desc_of(model);
  ASSERT_NE(desc, nullptr);
  EXPECT_EQ(desc->abi_version, STRATA_MODEL_ABI_VERSION);
  EXPECT_STREQ(desc->model_name, "fake_add");
  ASSERT_EQ(desc->num_inputs, 2u);
  ASSERT_EQ(desc->num_outputs, 1u);
  EXPECT_STREQ(desc->inputs[0].name, "a");
  EXPECT_STREQ(desc->inputs[1].name, "b");
  EXPECT_STREQ(desc->outputs[0].name, "sum");
  EXPECT_EQ(desc->outputs[0].dtype, STRATA_DTYPE_F32);
  ASSERT_EQ(desc->outputs[0].rank, 2);
  EXPECT_EQ(desc->outputs[0].shape[0], 2);
  EXPECT_EQ(desc->outputs[0].shape[1], 3);
  EXPECT_EQ(strata_model_desc_of(nullptr), nullptr);
}

TEST_F(FakeModel, WrongInputCount) {
  EXPECT_EQ(strata_model_run(model, inputs, 1, outputs, 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "expected 2 inputs, got 1");
  EXPECT_EQ(strata_model_run(model, inputs, 2, outputs, 0),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "expected 1 outputs, got 0");
}

TEST_F(FakeModel, NullArrays) {
  EXPECT_EQ(strata_model_run(model, nullptr, 2, outputs, 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("inputs is null"), std::string::npos);
  EXPECT_EQ(strata_model_run(model, inputs, 2, nullptr, 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("outputs is null"), std::string::npos);
}

TEST_F(FakeModel, NullData) {
  outputs[0].data = nullptr;
  EXPECT_EQ(run(), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "output 0 ('sum'): data is null");
}

TEST_F(FakeModel, WrongDtype) {
  inputs[1].dtype = STRATA_DTYPE_I64;
  EXPECT_EQ(run(), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("input 1 ('b'): expected dtype f32, got i64"),
            std::string::npos)
      << lastError();
}

TEST_F(FakeModel, WrongRank) {
  const int64_t shape[] = {2, 3, 1};
  inputs[0].rank = 3;
  inputs[0].shape = shape;
  EXPECT_EQ(run(), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("input 0 ('a'): expected rank 2"),
            std::string::npos)
      << lastError();
}

TEST_F(FakeModel, WrongShape) {
  const int64_t shape[] = {2, 4};
  inputs[0].shape = shape;
  EXPECT_EQ(run(), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "input 0 ('a'): expected shape [2,3], got [2,4]");
}

TEST_F(FakeModel, NullShape) {
  outputs[0].shape = nullptr;
  EXPECT_EQ(run(), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("output 0 ('sum'): shape is null"),
            std::string::npos)
      << lastError();
}

TEST(Runtime, NullModel) {
  EXPECT_EQ(strata_model_run(nullptr, nullptr, 0, nullptr, 0),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "model is null");
  EXPECT_EQ(strata_model_load(STRATA_FAKE_MODEL_PATH, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_load(nullptr, &model), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(strata_model_from_desc(nullptr, &model),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
}

TEST(Runtime, LoadNonexistentPath) {
  strata_model *model = reinterpret_cast<strata_model *>(0x1);
  const char *path = "/nonexistent/libnothing.so";
  EXPECT_EQ(strata_model_load(path, &model), STRATA_ERROR_LOAD);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(lastError().find(path), std::string::npos) << lastError();
}

TEST(Runtime, LoadNotALibrary) {
  char path[] = "/tmp/strata-not-a-lib-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "hello", 5), 5);
  close(fd);
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_load(path, &model), STRATA_ERROR_LOAD);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(lastError().find(path), std::string::npos) << lastError();
  unlink(path);
}

TEST(Runtime, LoadLibraryWithoutDescriptor) {
  // libc is a real shared library that exports no strata descriptor.
  Dl_info libc;
  ASSERT_NE(dladdr(reinterpret_cast<void *>(&printf), &libc), 0);
  strata_model *model = nullptr;
  strata_load_options options = {sizeof options, STRATA_LOAD_SKIP_CHECKSUM, 0, 0, nullptr};
  EXPECT_EQ(strata_model_load_ex(libc.dli_fname, &options, &model),
            STRATA_ERROR_LOAD);
  EXPECT_NE(lastError().find("strata_descriptor"), std::string::npos)
      << lastError();
}

TEST(Runtime, LibraryWithoutIntegrityNoteIsRefusedByDefault) {
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_load(STRATA_FAKE_MODEL_PATH, &model),
            STRATA_ERROR_LOAD);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(lastError().find("it has no integrity note, which every library "
                             "of ABI version " +
                             std::to_string(STRATA_MODEL_ABI_VERSION) +
                             " carries"),
            std::string::npos)
      << lastError();
  ASSERT_EQ(loadFake(&model), STRATA_OK) << lastError();
  EXPECT_EQ(strata_model_checksum(model), STRATA_CHECKSUM_NOT_VERIFIED);
  EXPECT_EQ(strata_model_runnable(model), STRATA_OK);
  strata_model_free(model);
}

TEST(Runtime, LoadOptionsMustSayTheirSize) {
  strata_model *model = nullptr;
  strata_load_options options = {4, 0, 0, 0, nullptr};
  EXPECT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("struct_size 4"), std::string::npos)
      << lastError();
}

TEST(Runtime, FromDescriptorAbiMismatch) {
  const strata_model_desc *desc =
      fakeDescriptor("strata_fake_bad_abi_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_from_desc(desc, &model), STRATA_ERROR_ABI);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(lastError().find("999"), std::string::npos) << lastError();
}

TEST(Runtime, AbiVersion1IsStillAccepted) {
  const strata_model_desc *desc = fakeDescriptor("strata_fake_v1_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK) << lastError();
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 1, 1, 1, 1, 1}, sum[6];
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  EXPECT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK)
      << lastError();
  EXPECT_EQ(sum[5], 7.0f);
  strata_model_free(model);
}

TEST(Runtime, PinnedInputMustHoldItsValue) {
  const strata_model_desc *desc =
      fakeDescriptor("strata_fake_pinned_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK) << lastError();
  float a[6] = {}, b[6] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f}, sum[6];
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  EXPECT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK)
      << lastError();
  EXPECT_EQ(sum[3], 1.5f);
  b[4] = 7.0f;
  EXPECT_EQ(strata_model_run(model, inputs, 2, outputs, 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("input 1 ('b')"), std::string::npos)
      << lastError();
  EXPECT_NE(lastError().find("element 4"), std::string::npos) << lastError();
  strata_model_free(model);
}

TEST(Runtime, EntryFailure) {
  const strata_model_desc *desc =
      fakeDescriptor("strata_fake_failing_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK);
  float a[6] = {}, b[6] = {}, sum[6];
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  EXPECT_EQ(strata_model_run(model, inputs, 2, outputs, 1),
            STRATA_ERROR_EXECUTION);
  EXPECT_NE(lastError().find("fake_failing"), std::string::npos);
  EXPECT_NE(lastError().find("7"), std::string::npos);
  strata_model_free(model);
}

TEST(Runtime, ManyBuffersAndScalars) {
  const strata_model_desc *desc = fakeDescriptor("strata_fake_wide_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK)
      << lastError();
  int32_t values[20], total = 0;
  strata_tensor inputs[20];
  for (int i = 0; i < 20; ++i) {
    values[i] = i;
    inputs[i] = {&values[i], STRATA_DTYPE_I32, 0, nullptr};
  }
  strata_tensor output = {&total, STRATA_DTYPE_I32, 0, nullptr};
  EXPECT_EQ(strata_model_run(model, inputs, 20, &output, 1), STRATA_OK)
      << lastError();
  EXPECT_EQ(total, 190);
  strata_model_free(model);
}

TEST(Runtime, LastErrorIsPerThread) {
  strata_model_run(nullptr, nullptr, 0, nullptr, 0);
  std::thread([] {
    EXPECT_EQ(lastError(), "");
    strata_model *model = nullptr;
    strata_model_from_desc(nullptr, &model);
    EXPECT_EQ(lastError(), "descriptor is null");
  }).join();
  EXPECT_EQ(lastError(), "model is null");
}

TEST(Runtime, FreeNull) { strata_model_free(nullptr); }

TEST(Runtime, DtypeHelpers) {
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_F32), 4u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_F16), 2u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_BF16), 2u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_I64), 8u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_I32), 4u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_I8), 1u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_U8), 1u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_BOOL), 1u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_F64), 8u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_I16), 2u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_U16), 2u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_U32), 4u);
  EXPECT_EQ(strata_dtype_size(STRATA_DTYPE_U64), 8u);
  // The narrow types: one element per byte (model_abi.h).
  for (int32_t narrow = STRATA_DTYPE_F8E4M3FN; narrow <= STRATA_DTYPE_I2;
       ++narrow)
    EXPECT_EQ(strata_dtype_size(narrow), 1u) << narrow;
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_F8E4M3FN), "f8e4m3fn");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_I4), "i4");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_U2), "u2");
  EXPECT_EQ(strata_dtype_size(0), 0u);
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_F32), "f32");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_BOOL), "bool");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_I64), "i64");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_F64), "f64");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_U16), "u16");
  EXPECT_STREQ(strata_dtype_name(STRATA_DTYPE_U64), "u64");
  EXPECT_STREQ(strata_dtype_name(12345), "unknown");
  EXPECT_STREQ(strata_status_string(STRATA_OK), "ok");
  EXPECT_STREQ(strata_status_string(STRATA_ERROR_ABI), "ABI mismatch");
}

} // namespace

namespace {

// Runs a fake batch model (twice = 2 x + bias) on `batch` samples of
// x = 0, 1, 2, ...; returns `twice`, or nothing (a test failure) when the
// run fails.
std::vector<float> runTwice(strata_model *model, int64_t batch,
                            const float (&bias)[3]) {
  std::vector<float> x(batch * 3), twice(batch * 3, -1.0f);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  float b[3] = {bias[0], bias[1], bias[2]};
  const int64_t shape[] = {batch, 3}, biasShape[] = {3};
  strata_tensor in[] = {{x.data(), STRATA_DTYPE_F32, 2, shape},
                        {b, STRATA_DTYPE_F32, 1, biasShape}};
  strata_tensor out[] = {{twice.data(), STRATA_DTYPE_F32, 2, shape}};
  EXPECT_EQ(strata_model_run(model, in, 2, out, 1), STRATA_OK) << lastError();
  return twice;
}

TEST(RuntimeBatchLoop, RunsTheEntryOncePerSample) {
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_batch_descriptor"), &model),
            STRATA_OK)
      << lastError();
  const float bias[3] = {0.5f, 1.5f, 2.5f};
  for (int64_t batch : {0, 1, 4}) {
    std::vector<float> twice = runTwice(model, batch, bias);
    for (size_t i = 0; i < twice.size(); ++i)
      EXPECT_FLOAT_EQ(twice[i], 2.0f * float(i) + bias[i % 3]);
  }
  strata_model_free(model);
}

TEST(RuntimeBatchLoop, BatchesMustAgree) {
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_batch_descriptor"), &model),
            STRATA_OK);
  float x[6] = {}, twice[9] = {}, bias[3] = {};
  const int64_t two[] = {2, 3}, three[] = {3, 3}, biasShape[] = {3};
  strata_tensor in[] = {{x, STRATA_DTYPE_F32, 2, two},
                        {bias, STRATA_DTYPE_F32, 1, biasShape}};
  strata_tensor out[] = {{twice, STRATA_DTYPE_F32, 2, three}};
  EXPECT_EQ(strata_model_run(model, in, 2, out, 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("output 0 ('twice'): batch 3 differs from the "
                             "batch 2"),
            std::string::npos)
      << lastError();
  strata_model_free(model);
}

// ABI 7: whole chunks of 4 samples run through the batch entry (which
// adds 1000 to mark its samples), the rest one sample at a time.
TEST(RuntimeBatchLoop, WholeChunksRunThroughTheBatchEntry) {
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_chunked_descriptor"), &model),
            STRATA_OK)
      << lastError();
  EXPECT_EQ(strata_model_arena_bytes(model), 48u);
  auto chunkCalls = reinterpret_cast<int (*)(void)>(
      dlsym(fakeLibrary(), "strata_fake_chunk_calls"));
  ASSERT_NE(chunkCalls, nullptr);
  const float bias[3] = {0.5f, 1.5f, 2.5f};
  for (int64_t batch : {0, 1, 3, 4, 5, 9}) {
    int before = chunkCalls();
    std::vector<float> twice = runTwice(model, batch, bias);
    int64_t chunked = batch / 4 * 4;
    EXPECT_EQ(chunkCalls() - before, batch / 4) << "batch " << batch;
    for (size_t i = 0; i < twice.size(); ++i)
      EXPECT_FLOAT_EQ(twice[i], 2.0f * float(i) + bias[i % 3] +
                                    (int64_t(i / 3) < chunked ? 1000.0f : 0.0f))
          << "batch " << batch << ", element " << i;
  }
  strata_model_free(model);
}

TEST(RuntimeBatchLoop, ChunkEntryNeedsAChunkSize) {
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_bad_chunk_descriptor"), &model),
            STRATA_ERROR_ABI);
  EXPECT_NE(lastError().find("batch entry that is set, for chunks of 1"),
            std::string::npos)
      << lastError();
}

TEST(RuntimeBatchLoop, DynamicDimensionNeedsTheFlag) {
  strata_model *model = nullptr;
  EXPECT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_unflagged_batch_descriptor"),
                &model),
            STRATA_ERROR_ABI);
  EXPECT_NE(lastError().find("dynamic dimension 0"), std::string::npos)
      << lastError();
}

} // namespace

// ABI version 4: the entry's arena. The fake entry checks the arena is
// there and aligned, and that no other run writes into it while it runs.
class ArenaModel : public ::testing::Test {
protected:
  void SetUp() override {
    const strata_model_desc *desc =
        fakeDescriptor("strata_fake_arena_descriptor");
    ASSERT_NE(desc, nullptr) << dlerror();
    ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK) << lastError();
  }
  void TearDown() override { strata_model_free(model); }

  strata_model *model = nullptr;
};

TEST_F(ArenaModel, ModelKeepsItsArena) {
  EXPECT_EQ(strata_model_arena_bytes(model), 12 * sizeof(float));
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 1, 1, 1, 1, 1}, sum[6] = {};
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  for (int run = 0; run < 3; ++run) {
    ASSERT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK)
        << lastError();
    EXPECT_EQ(sum[5], 7.0f);
  }
}

TEST_F(ArenaModel, ConcurrentRunsGetTheirOwnArena) {
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      float a[6], b[6], sum[6];
      for (int i = 0; i < 6; ++i) a[i] = float(t * 10 + i), b[i] = 0.5f;
      strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                                {b, STRATA_DTYPE_F32, 2, kShape23}};
      strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
      for (int run = 0; run < 500; ++run)
        if (strata_model_run(model, inputs, 2, outputs, 1) != STRATA_OK ||
            sum[3] != a[3] + 0.5f)
          ++failures[t];
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 8; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST_F(ArenaModel, CallerArena) {
  alignas(64) float arena[16];
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {2, 2, 2, 2, 2, 2}, sum[6] = {};
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  ASSERT_EQ(strata_model_run_with_arena(model, inputs, 2, outputs, 1, arena,
                                        sizeof arena),
            STRATA_OK)
      << lastError();
  EXPECT_EQ(sum[0], 3.0f);
  EXPECT_EQ(arena[0], 3.0f); // the entry computed in the caller's arena

  EXPECT_EQ(strata_model_run_with_arena(model, inputs, 2, outputs, 1, arena,
                                        47),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("arena: 47 bytes, model 'fake_arena' needs 48"),
            std::string::npos)
      << lastError();
  EXPECT_EQ(strata_model_run_with_arena(model, inputs, 2, outputs, 1, nullptr,
                                        64),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("arena is null"), std::string::npos)
      << lastError();
  EXPECT_EQ(strata_model_run_with_arena(model, inputs, 2, outputs, 1,
                                        reinterpret_cast<char *>(arena) + 4,
                                        sizeof arena - 4),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("not aligned to 64 bytes"), std::string::npos)
      << lastError();
  // The tensors are checked first, with the same messages as a plain run.
  EXPECT_EQ(strata_model_run_with_arena(model, inputs, 1, outputs, 1, arena,
                                        sizeof arena),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("expected 2 inputs, got 1"), std::string::npos)
      << lastError();
}

TEST(Runtime, ModelsBeforeAbi4TakeNoArena) {
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(fakeDescriptor("strata_fake_v1_descriptor"),
                                   &model),
            STRATA_OK)
      << lastError();
  EXPECT_EQ(strata_model_arena_bytes(model), 0u);
  float a[6] = {}, b[6] = {}, sum[6];
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  EXPECT_EQ(strata_model_run_with_arena(model, inputs, 2, outputs, 1, nullptr,
                                        0),
            STRATA_OK)
      << lastError();
  strata_model_free(model);
  EXPECT_EQ(strata_model_arena_bytes(nullptr), 0u);
}

// The executor: dispatches of a model run on its thread pool, with the
// same results for every thread count and under concurrent runs.
// ABI 7: the executor runs a group of independent dispatches as one grid,
// each member's workgroups exactly once, at every thread count, and a
// profile names each member's events.
TEST(RuntimeThreads, DispatchGroupsRunEveryMember) {
  const strata_model_desc *desc =
      fakeDescriptor("strata_fake_group_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK) << lastError();
  auto groupCalls = reinterpret_cast<int (*)(void)>(
      dlsym(fakeLibrary(), "strata_fake_group_calls"));
  ASSERT_NE(groupCalls, nullptr);
  int before = groupCalls();
  for (uint32_t threads : {1u, 2u, 4u, 8u}) {
    ASSERT_EQ(strata_model_set_threads(model, threads), STRATA_OK);
    for (int run = 0; run < 50; ++run) {
      float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {float(run), 0, 0, 0, 0, 1};
      float sum[6] = {-1, -1, -1, -1, -1, -1};
      strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                                {b, STRATA_DTYPE_F32, 2, kShape23}};
      strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
      ASSERT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK)
          << lastError();
      for (int i = 0; i < 6; ++i)
        ASSERT_EQ(sum[i], a[i] + b[i]) << "threads " << threads;
    }
  }
  EXPECT_EQ(groupCalls() - before, 200);
  // Profiled, the members run one after another: 2 + 4 workgroups.
  strata_profile_event events[16];
  ASSERT_EQ(strata_model_set_threads(model, 1), STRATA_OK);
  ASSERT_EQ(strata_model_profile(model, events, 16), STRATA_OK);
  float a[6] = {}, b[6] = {}, sum[6] = {};
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  ASSERT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK);
  ASSERT_EQ(strata_model_profile_count(model), 3u); // two members, one run
  EXPECT_STREQ(events[0].name, "half (Add)");
  EXPECT_EQ(events[0].workgroups, 2);
  EXPECT_EQ(events[1].workgroups, 4);
  strata_model_free(model);
}

TEST(RuntimeThreads, EveryCountGivesTheSameResult) {
  const strata_model_desc *desc = fakeDescriptor("strata_fake_grid_descriptor");
  ASSERT_NE(desc, nullptr) << dlerror();
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(desc, &model), STRATA_OK) << lastError();
  EXPECT_GE(strata_model_threads(model), 1u); // one per CPU by default
  for (uint32_t threads : {1u, 2u, 4u, 8u}) {
    ASSERT_EQ(strata_model_set_threads(model, threads), STRATA_OK)
        << lastError();
    EXPECT_EQ(strata_model_threads(model), threads);
    for (int run = 0; run < 50; ++run) {
      float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {float(run), 0, 0, 0, 0, 1};
      float sum[6] = {};
      strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                                {b, STRATA_DTYPE_F32, 2, kShape23}};
      strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
      ASSERT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK)
          << lastError();
      for (int i = 0; i < 6; ++i)
        ASSERT_EQ(sum[i], a[i] + b[i]) << "threads " << threads;
    }
  }
  EXPECT_EQ(strata_model_set_threads(model, 5000),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("threads: 5000, at most 1024"), std::string::npos)
      << lastError();
  EXPECT_EQ(strata_model_set_threads(nullptr, 2),
            STRATA_ERROR_INVALID_ARGUMENT);
  strata_model_free(model);
}

TEST(RuntimeThreads, ConcurrentRunsShareThePool) {
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_grid_descriptor"), &model),
            STRATA_OK)
      << lastError();
  ASSERT_EQ(strata_model_set_threads(model, 4), STRATA_OK);
  std::vector<int> failures(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      float a[6], b[6], sum[6];
      for (int i = 0; i < 6; ++i) a[i] = float(t), b[i] = float(i);
      strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                                {b, STRATA_DTYPE_F32, 2, kShape23}};
      strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
      for (int run = 0; run < 200; ++run) {
        if (strata_model_run(model, inputs, 2, outputs, 1) != STRATA_OK) {
          ++failures[t];
          continue;
        }
        for (int i = 0; i < 6; ++i)
          failures[t] += sum[i] != a[i] + b[i];
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 8; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
  strata_model_free(model);
}

TEST(RuntimeThreads, LoadOptionsSetTheCount) {
  strata_model *model = nullptr;
  strata_load_options options = {sizeof options, STRATA_LOAD_SKIP_CHECKSUM, 3,
                                 0, nullptr};
  ASSERT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_OK)
      << lastError();
  EXPECT_EQ(strata_model_threads(model), 3u);
  strata_model_free(model);
  // The first version of the options (8 bytes) still loads.
  options.struct_size = 8;
  ASSERT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_OK)
      << lastError();
  EXPECT_GE(strata_model_threads(model), 1u);
  strata_model_free(model);
  options = {sizeof options, STRATA_LOAD_SKIP_CHECKSUM, 4096, 0, nullptr};
  EXPECT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("options: threads 4096"), std::string::npos)
      << lastError();
  // The second version (16 bytes, before weights_path) still loads; a
  // size of no version is refused.
  options = {16, STRATA_LOAD_SKIP_CHECKSUM, 2, 0, nullptr};
  ASSERT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_OK)
      << lastError();
  EXPECT_EQ(strata_model_threads(model), 2u);
  strata_model_free(model);
  options.struct_size = 12;
  EXPECT_EQ(strata_model_load_ex(STRATA_FAKE_MODEL_PATH, &options, &model),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("struct_size 12"), std::string::npos)
      << lastError();
}

TEST(RuntimeThreads, FromDescOptions) {
  void *handle = dlopen(STRATA_FAKE_MODEL_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto *desc = static_cast<const strata_model_desc *>(
      dlsym(handle, STRATA_DESCRIPTOR_SYMBOL));
  ASSERT_NE(desc, nullptr);
  strata_model *model = nullptr;
  strata_load_options options = {sizeof options, 0, 3, 0, "ignored.weights"};
  // A model without external weights ignores weights_path.
  ASSERT_EQ(strata_model_from_desc_ex(desc, &options, &model), STRATA_OK)
      << lastError();
  EXPECT_EQ(strata_model_threads(model), 3u);
  strata_model_free(model);
  options.struct_size = 4;
  EXPECT_EQ(strata_model_from_desc_ex(desc, &options, &model),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(strata_model_from_desc_ex(nullptr, nullptr, &model),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(strata_model_from_desc_ex(desc, nullptr, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  dlclose(handle);
}

namespace {

// Profiling: one event per thread that took part in each dispatch, named
// from the model's dispatch table, plus one "run" event per run.
TEST(RuntimeProfile, EveryDispatchOnEveryThread) {
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(
                fakeDescriptor("strata_fake_grid_descriptor"), &model),
            STRATA_OK);
  ASSERT_EQ(strata_model_set_threads(model, 4), STRATA_OK);
  std::vector<strata_profile_event> events(64);
  ASSERT_EQ(strata_model_profile(model, events.data(), events.size()),
            STRATA_OK)
      << lastError();
  EXPECT_EQ(strata_model_set_threads(model, 2), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("not while the model is profiled"),
            std::string::npos);
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {6, 5, 4, 3, 2, 1}, sum[6];
  strata_tensor inputs[] = {{a, STRATA_DTYPE_F32, 2, kShape23},
                            {b, STRATA_DTYPE_F32, 2, kShape23}};
  strata_tensor outputs[] = {{sum, STRATA_DTYPE_F32, 2, kShape23}};
  const int kRuns = 3;
  for (int run = 0; run < kRuns; ++run)
    ASSERT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK);
  size_t count = strata_model_profile_count(model);
  ASSERT_LE(count, events.size());
  int runs = 0;
  std::vector<int64_t> workgroups(2 * kRuns, 0);
  for (size_t i = 0; i < count; ++i) {
    const strata_profile_event &e = events[i];
    EXPECT_LE(e.start_ns, e.end_ns);
    EXPECT_LT(e.thread, 4u);
    ASSERT_LT(e.sequence, workgroups.size());
    if (std::string(e.name) == "run") {
      ++runs;
      EXPECT_EQ(e.workgroups, 0);
      EXPECT_EQ(e.thread, 0u);
      continue;
    }
    EXPECT_STREQ(e.name, "sum (Add)");
    workgroups[e.sequence] += e.workgroups;
  }
  EXPECT_EQ(runs, kRuns);
  // Dispatch, run, dispatch, run, ...: each grid's 6 workgroups, once.
  for (int run = 0; run < kRuns; ++run)
    EXPECT_EQ(workgroups[2 * run], 6) << "run " << run;

  // Too small a buffer: events are counted, not written past its end.
  std::vector<strata_profile_event> small(2);
  ASSERT_EQ(strata_model_profile(model, small.data(), small.size()),
            STRATA_OK);
  for (int run = 0; run < kRuns; ++run)
    ASSERT_EQ(strata_model_run(model, inputs, 2, outputs, 1), STRATA_OK);
  EXPECT_GT(strata_model_profile_count(model), small.size());

  ASSERT_EQ(strata_model_profile(model, nullptr, 0), STRATA_OK);
  EXPECT_EQ(strata_model_profile_count(model), 0u);
  EXPECT_EQ(strata_model_profile(model, nullptr, 5),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("events is null but capacity is 5"),
            std::string::npos);
  EXPECT_EQ(strata_model_profile(nullptr, events.data(), 1),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(strata_model_set_threads(model, 2), STRATA_OK);
  strata_model_free(model);
}

} // namespace
