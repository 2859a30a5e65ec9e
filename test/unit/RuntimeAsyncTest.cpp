// test/unit/RuntimeAsyncTest.cpp - the async API (instances, sessions,
// fences) against the hand-written models of fake_model.c: results, order,
// timeouts, callbacks, cancellation, shutdown with work in flight, and a
// status with a message for every misuse.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "strata/runtime.h"

namespace {

const int64_t kShape23[] = {2, 3};
const int64_t kShape32[] = {3, 2};

void *fakeLibrary() {
  static void *handle = dlopen(STRATA_FAKE_MODEL_PATH, RTLD_NOW | RTLD_LOCAL);
  return handle;
}

template <typename T> T fakeSymbol(const char *name) {
  void *handle = fakeLibrary();
  return handle ? reinterpret_cast<T>(dlsym(handle, name)) : nullptr;
}

std::string lastError() { return strata_last_error(); }

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

// The gate of fake_model.c's gated model: closed, a run waits inside.
struct Gate {
  void (*set)(int) = fakeSymbol<void (*)(int)>("strata_fake_gate_set");
  int (*entered)() = fakeSymbol<int (*)()>("strata_fake_gate_entered");
  void (*reset)() = fakeSymbol<void (*)()>("strata_fake_gate_reset");
  Gate() {
    reset();
    set(0);
  }
  ~Gate() { set(1); }
  void open() { set(1); }
  // Waits (up to 10 s) until `count` runs have entered the model.
  bool waitEntered(int count) {
    for (int i = 0; i < 10000 && entered() < count; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return entered() >= count;
  }
};

// One a + b problem with its own buffers.
struct Sum {
  float a[6], b[6], sum[6] = {};
  strata_tensor inputs[2], outputs[1];
  explicit Sum(float seed) {
    for (int i = 0; i < 6; ++i)
      a[i] = seed + float(i), b[i] = 0.5f * float(i);
    inputs[0] = {a, STRATA_DTYPE_F32, 2, kShape23};
    inputs[1] = {b, STRATA_DTYPE_F32, 2, kShape23};
    outputs[0] = {sum, STRATA_DTYPE_F32, 2, kShape23};
  }
  bool right() const {
    for (int i = 0; i < 6; ++i)
      if (sum[i] != a[i] + b[i])
        return false;
    return true;
  }
};

class Async : public ::testing::Test {
protected:
  strata_model *load(const char *symbol) {
    auto *desc = fakeSymbol<const strata_model_desc *>(symbol);
    strata_model *model = nullptr;
    EXPECT_NE(desc, nullptr) << symbol;
    EXPECT_EQ(strata_model_from_desc(desc, &model), STRATA_OK) << lastError();
    return model;
  }
  void SetUp() override {
    strata_instance_options options;
    strata_instance_options_init(&options);
    options.threads = 2;
    ASSERT_EQ(strata_instance_create(&options, &instance), STRATA_OK)
        << lastError();
    ASSERT_EQ(strata_instance_threads(instance), 2u);
  }
  void TearDown() override { strata_instance_destroy(instance); }

  strata_session *session(strata_model *model) {
    strata_session *s = nullptr;
    EXPECT_EQ(strata_session_create(instance, model, nullptr, &s), STRATA_OK)
        << lastError();
    return s;
  }
  strata_fence *submit(strata_session *s, Sum &sum) {
    strata_fence *fence = nullptr;
    EXPECT_EQ(strata_session_submit(s, sum.inputs, 2, sum.outputs, 1, &fence),
              STRATA_OK)
        << lastError();
    return fence;
  }

  strata_instance *instance = nullptr;
};

TEST_F(Async, SubmitAndWait) {
  strata_model *model = load("strata_descriptor");
  strata_session *s = session(model);
  Sum sum(1);
  strata_fence *fence = submit(s, sum);
  EXPECT_EQ(strata_fence_wait(fence, -1), STRATA_OK) << lastError();
  EXPECT_TRUE(sum.right());
  EXPECT_EQ(strata_fence_poll(fence), STRATA_OK);
  EXPECT_STREQ(strata_fence_message(fence), "");
  strata_fence_release(fence);
  strata_session_destroy(s);
  strata_model_free(model);
}

// Sessions of two models (one with an arena, one with dispatches) with
// many submissions each, all in flight at once.
TEST_F(Async, ManySessionsAtOnce) {
  strata_model *arenaModel = load("strata_fake_arena_descriptor");
  strata_model *gridModel = load("strata_fake_grid_descriptor");
  const int kSessions = 4, kRuns = 50;
  std::vector<strata_session *> sessions;
  for (int i = 0; i < kSessions; ++i)
    sessions.push_back(session(i % 2 ? gridModel : arenaModel));
  std::vector<Sum> sums;
  sums.reserve(kSessions * kRuns);
  std::vector<strata_fence *> fences;
  for (int run = 0; run < kRuns; ++run)
    for (int i = 0; i < kSessions; ++i) {
      sums.emplace_back(float(run * kSessions + i));
      fences.push_back(submit(sessions[i], sums.back()));
    }
  for (size_t i = 0; i < fences.size(); ++i) {
    ASSERT_EQ(strata_fence_wait(fences[i], -1), STRATA_OK) << lastError();
    EXPECT_TRUE(sums[i].right()) << "submission " << i;
    strata_fence_release(fences[i]);
  }
  for (strata_session *s : sessions)
    strata_session_destroy(s);
  strata_model_free(arenaModel);
  strata_model_free(gridModel);
}

TEST_F(Async, OneSessionRunsInOrder) {
  Gate gate;
  strata_model *model = load("strata_fake_gate_descriptor");
  strata_session *s = session(model);
  Sum first(1), second(2);
  strata_fence *a = submit(s, first), *b = submit(s, second);
  ASSERT_TRUE(gate.waitEntered(1));
  // A second thread is free, but the session's next run waits its turn.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(gate.entered(), 1);
  EXPECT_EQ(strata_fence_poll(b), STRATA_NOT_READY);
  EXPECT_TRUE(contains(lastError(), "still queued")) << lastError();
  gate.open();
  EXPECT_EQ(strata_fence_wait(a, -1), STRATA_OK);
  EXPECT_EQ(strata_fence_wait(b, -1), STRATA_OK);
  EXPECT_TRUE(first.right() && second.right());
  strata_fence_release(a);
  strata_fence_release(b);
  strata_session_destroy(s);
  strata_model_free(model);
}

TEST_F(Async, WaitTimesOutAndPollSaysNotReady) {
  Gate gate;
  strata_model *model = load("strata_fake_gate_descriptor");
  strata_session *s = session(model);
  Sum sum(3);
  strata_fence *fence = submit(s, sum);
  ASSERT_TRUE(gate.waitEntered(1));
  EXPECT_EQ(strata_fence_poll(fence), STRATA_NOT_READY);
  EXPECT_TRUE(contains(lastError(), "still running")) << lastError();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(strata_fence_wait(fence, 20 * 1000 * 1000), STRATA_ERROR_TIMEOUT);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(19));
  EXPECT_TRUE(contains(lastError(), "still running after 20000000 ns"))
      << lastError();
  EXPECT_EQ(strata_fence_wait(fence, 0), STRATA_ERROR_TIMEOUT);
  gate.open();
  EXPECT_EQ(strata_fence_wait(fence, 10ll * 1000 * 1000 * 1000), STRATA_OK);
  EXPECT_TRUE(sum.right());
  strata_fence_release(fence);
  strata_session_destroy(s);
  strata_model_free(model);
}

struct CallbackLog {
  std::atomic<int> calls{0};
  std::atomic<int> status{-1};
  std::atomic<bool> otherThread{false};
  std::thread::id caller = std::this_thread::get_id();
};

void logCallback(strata_fence *, strata_status status, void *user) {
  auto *log = static_cast<CallbackLog *>(user);
  log->status = status;
  log->otherThread = std::this_thread::get_id() != log->caller;
  ++log->calls;
}

TEST_F(Async, CallbacksRunOnce) {
  Gate gate;
  strata_model *model = load("strata_fake_gate_descriptor");
  strata_session *s = session(model);
  Sum sum(4);
  strata_fence *fence = submit(s, sum);
  CallbackLog early;
  ASSERT_EQ(strata_fence_set_callback(fence, logCallback, &early), STRATA_OK);
  EXPECT_EQ(strata_fence_set_callback(fence, logCallback, &early),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "already has a callback")) << lastError();
  EXPECT_EQ(early.calls, 0);
  gate.open();
  ASSERT_EQ(strata_fence_wait(fence, -1), STRATA_OK);
  for (int i = 0; i < 1000 && early.calls == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(early.calls, 1);
  EXPECT_EQ(early.status, STRATA_OK);
  EXPECT_TRUE(early.otherThread); // on the runtime's thread
  strata_fence_release(fence);

  // Set on a completed fence: called at once, here.
  Sum again(5);
  fence = submit(s, again);
  ASSERT_EQ(strata_fence_wait(fence, -1), STRATA_OK);
  CallbackLog late;
  ASSERT_EQ(strata_fence_set_callback(fence, logCallback, &late), STRATA_OK);
  EXPECT_EQ(late.calls, 1);
  EXPECT_FALSE(late.otherThread);
  strata_fence_release(fence);
  strata_session_destroy(s);
  strata_model_free(model);
}

TEST_F(Async, CancelBeforeItRuns) {
  Gate gate;
  strata_model *model = load("strata_fake_gate_descriptor");
  strata_session *s = session(model);
  Sum running(1), queued(2);
  strata_fence *a = submit(s, running), *b = submit(s, queued);
  ASSERT_TRUE(gate.waitEntered(1));
  EXPECT_EQ(strata_fence_cancel(b), STRATA_OK);
  EXPECT_EQ(strata_fence_cancel(a), STRATA_OK); // running: not affected
  gate.open();
  EXPECT_EQ(strata_fence_wait(a, -1), STRATA_OK);
  EXPECT_EQ(strata_fence_wait(b, -1), STRATA_ERROR_CANCELLED);
  EXPECT_TRUE(contains(lastError(), "strata_fence_cancel")) << lastError();
  EXPECT_TRUE(contains(strata_fence_message(b), "cancelled"));
  EXPECT_EQ(gate.entered(), 1); // the cancelled one never ran
  EXPECT_TRUE(running.right());
  for (float v : queued.sum)
    EXPECT_EQ(v, 0.0f);
  strata_fence_release(a);
  strata_fence_release(b);
  strata_session_destroy(s);
  strata_model_free(model);
}

TEST_F(Async, SessionDestroyWithWorkInFlight) {
  Gate gate;
  strata_model *model = load("strata_fake_gate_descriptor");
  strata_session *s = session(model);
  Sum first(1), second(2), third(3);
  strata_fence *a = submit(s, first), *b = submit(s, second),
               *c = submit(s, third);
  ASSERT_TRUE(gate.waitEntered(1));
  std::thread destroyer([&] { strata_session_destroy(s); });
  // The queued ones are cancelled at once; destroy waits for the running.
  EXPECT_EQ(strata_fence_wait(b, 10ll * 1000 * 1000 * 1000),
            STRATA_ERROR_CANCELLED);
  EXPECT_TRUE(contains(lastError(), "session was destroyed")) << lastError();
  EXPECT_EQ(strata_fence_poll(a), STRATA_NOT_READY);
  gate.open();
  destroyer.join();
  EXPECT_EQ(strata_fence_poll(a), STRATA_OK);
  EXPECT_EQ(strata_fence_poll(c), STRATA_ERROR_CANCELLED);
  EXPECT_TRUE(first.right());
  for (strata_fence *f : {a, b, c})
    strata_fence_release(f);
  strata_model_free(model);
}

TEST(AsyncShutdown, InstanceDestroyWithWorkInFlight) {
  Gate gate;
  strata_instance *instance = nullptr;
  ASSERT_EQ(strata_instance_create(nullptr, &instance), STRATA_OK);
  EXPECT_GE(strata_instance_threads(instance), 1u);
  strata_model *model = nullptr;
  ASSERT_EQ(strata_model_from_desc(
                fakeSymbol<const strata_model_desc *>(
                    "strata_fake_gate_descriptor"),
                &model),
            STRATA_OK);
  strata_session *s = nullptr;
  ASSERT_EQ(strata_session_create(instance, model, nullptr, &s), STRATA_OK);
  Sum first(1), second(2);
  strata_fence *a = nullptr, *b = nullptr;
  ASSERT_EQ(strata_session_submit(s, first.inputs, 2, first.outputs, 1, &a),
            STRATA_OK);
  ASSERT_EQ(strata_session_submit(s, second.inputs, 2, second.outputs, 1, &b),
            STRATA_OK);
  ASSERT_TRUE(gate.waitEntered(1));
  std::thread destroyer([&] { strata_instance_destroy(instance); });
  EXPECT_EQ(strata_fence_wait(b, -1), STRATA_ERROR_CANCELLED);
  EXPECT_TRUE(contains(lastError(), "instance was destroyed")) << lastError();
  gate.open();
  destroyer.join();
  EXPECT_EQ(strata_fence_wait(a, -1), STRATA_OK);
  EXPECT_TRUE(first.right());
  // The session outlives its instance as a handle that refuses work.
  Sum third(3);
  strata_fence *c = nullptr;
  EXPECT_EQ(strata_session_submit(s, third.inputs, 2, third.outputs, 1, &c),
            STRATA_ERROR_SHUTDOWN);
  EXPECT_TRUE(contains(lastError(), "instance was destroyed")) << lastError();
  EXPECT_EQ(c, nullptr);
  strata_session_destroy(s);
  strata_fence_release(a);
  strata_fence_release(b);
  strata_model_free(model);
}

TEST_F(Async, TheSessionKeepsItsModel) {
  strata_model *model = load("strata_fake_arena_descriptor");
  strata_session *s = session(model);
  strata_model_free(model); // the session still holds it
  Sum sum(7);
  strata_fence *fence = submit(s, sum);
  EXPECT_EQ(strata_fence_wait(fence, -1), STRATA_OK) << lastError();
  EXPECT_TRUE(sum.right());
  strata_fence_release(fence);
  strata_session_destroy(s); // frees the model
}

TEST_F(Async, CallersArena) {
  strata_model *model = load("strata_fake_arena_descriptor");
  size_t bytes = strata_model_arena_bytes(model);
  ASSERT_GT(bytes, 0u);
  void *arena = aligned_alloc(STRATA_ARENA_ALIGNMENT, 128);
  strata_session_options options;
  strata_session_options_init(&options);
  options.arena = arena;
  options.arena_bytes = bytes;
  strata_session *s = nullptr;
  ASSERT_EQ(strata_session_create(instance, model, &options, &s), STRATA_OK)
      << lastError();
  Sum sum(8);
  strata_fence *fence = submit(s, sum);
  EXPECT_EQ(strata_fence_wait(fence, -1), STRATA_OK) << lastError();
  EXPECT_TRUE(sum.right());
  strata_fence_release(fence);
  strata_session_destroy(s);

  options.arena_bytes = bytes - 1;
  EXPECT_EQ(strata_session_create(instance, model, &options, &s),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "needs " + std::to_string(bytes)))
      << lastError();
  options.arena_bytes = bytes;
  options.arena = static_cast<char *>(arena) + 4;
  EXPECT_EQ(strata_session_create(instance, model, &options, &s),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "not aligned")) << lastError();
  options.arena = nullptr;
  EXPECT_EQ(strata_session_create(instance, model, &options, &s),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "arena is null")) << lastError();
  free(arena);
  strata_model_free(model);
}

TEST_F(Async, AFailedRunCarriesItsMessage) {
  strata_model *model = load("strata_fake_failing_descriptor");
  strata_session *s = session(model);
  Sum sum(1);
  strata_fence *fence = submit(s, sum);
  EXPECT_EQ(strata_fence_wait(fence, -1), STRATA_ERROR_EXECUTION);
  EXPECT_TRUE(contains(lastError(), "entry function failed with code 7"))
      << lastError();
  // The message travels with the fence, to any thread.
  std::string seen;
  std::thread([&] {
    strata_fence_poll(fence);
    seen = strata_last_error();
  }).join();
  EXPECT_TRUE(contains(seen, "code 7")) << seen;
  EXPECT_TRUE(contains(strata_fence_message(fence), "code 7"));
  strata_fence_release(fence);
  strata_session_destroy(s);
  strata_model_free(model);
}

TEST_F(Async, MisuseGetsAStatusAndAMessage) {
  strata_model *model = load("strata_descriptor");
  strata_session *s = session(model);
  strata_instance *other = nullptr;
  strata_session *noSession = nullptr;
  strata_fence *fence = nullptr;
  Sum sum(1);

  EXPECT_EQ(strata_instance_create(nullptr, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "out_instance is null"));
  strata_instance_options options = {};
  EXPECT_EQ(strata_instance_create(&options, &other),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "strata_instance_options_init"))
      << lastError();
  strata_instance_options_init(&options);
  options.threads = 100000;
  EXPECT_EQ(strata_instance_create(&options, &other),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "threads 100000, at most 1024"));

  EXPECT_EQ(strata_session_create(nullptr, model, nullptr, &noSession),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "instance is null"));
  EXPECT_EQ(strata_session_create(instance, nullptr, nullptr, &noSession),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "model is null"));
  EXPECT_EQ(strata_session_create(instance, model, nullptr, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "out_session is null"));
  strata_session_options sessionOptions = {};
  EXPECT_EQ(strata_session_create(instance, model, &sessionOptions,
                                  &noSession),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "strata_session_options_init"));

  EXPECT_EQ(strata_session_submit(nullptr, sum.inputs, 2, sum.outputs, 1,
                                  &fence),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "session is null"));
  EXPECT_EQ(strata_session_submit(s, sum.inputs, 2, sum.outputs, 1, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "out_fence is null"));
  // The tensors are checked at submission, as strata_model_run checks them.
  EXPECT_EQ(strata_session_submit(s, sum.inputs, 1, sum.outputs, 1, &fence),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "expected 2 inputs, got 1"));
  strata_tensor wrong[] = {sum.inputs[0],
                           {sum.b, STRATA_DTYPE_F32, 2, kShape32}};
  EXPECT_EQ(strata_session_submit(s, wrong, 2, sum.outputs, 1, &fence),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "input 1 ('b'): expected shape [2,3], "
                                    "got [3,2]"))
      << lastError();
  EXPECT_EQ(fence, nullptr);

  EXPECT_EQ(strata_fence_wait(nullptr, -1), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "fence is null"));
  EXPECT_EQ(strata_fence_poll(nullptr), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(strata_fence_cancel(nullptr), STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(strata_fence_set_callback(nullptr, logCallback, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  fence = submit(s, sum);
  EXPECT_EQ(strata_fence_set_callback(fence, nullptr, nullptr),
            STRATA_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(lastError(), "callback is null"));
  EXPECT_EQ(strata_fence_wait(fence, -1), STRATA_OK);
  strata_fence_release(fence);
  EXPECT_STREQ(strata_fence_message(nullptr), "");
  EXPECT_EQ(strata_instance_threads(nullptr), 0u);
  EXPECT_STREQ(strata_status_string(STRATA_ERROR_TIMEOUT), "timeout");
  EXPECT_STREQ(strata_status_string(STRATA_NOT_READY), "not ready");

  // Null handles are fine to destroy and release.
  strata_fence_release(nullptr);
  strata_session_destroy(nullptr);
  strata_instance_destroy(nullptr);
  strata_session_destroy(s);
  strata_model_free(model);
}

} // namespace
