// OrderedRing: in-order hand-over through producer -> workers -> consumer under contention,
// producer-side mark_done, and stop() waking every kind of waiter (no hangs).
#include "samsort/io/ordered_ring.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace samsort {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kEndMarker = ~std::uint64_t{0};

std::uint64_t transform(std::uint64_t value) { return value * 2654435761u + 17; }

// Runs `items` items through a ring of `slots` slots with `workers` workers. Every
// `direct_every`-th item (0: none) is completed by the producer without a worker.
void run_pipeline(std::size_t slots, std::size_t workers, std::uint64_t items,
                  std::uint64_t direct_every) {
  OrderedRing ring(slots);
  std::vector<std::uint64_t> values(slots);
  std::vector<std::thread> threads;
  for (std::size_t worker = 0; worker < workers; ++worker) {
    threads.emplace_back([&] {
      std::size_t slot = 0;
      while (ring.take_work(&slot)) {
        values[slot] = transform(values[slot]);
        ring.finish_work(slot);
      }
    });
  }
  threads.emplace_back([&] {
    for (std::uint64_t seq = 0; seq <= items; ++seq) {
      if (!ring.wait_free(seq)) return;
      std::size_t slot = ring.slot_of(seq);
      if (seq == items) {
        values[slot] = kEndMarker;
        ring.mark_done(slot);
      } else if (direct_every != 0 && seq % direct_every == 0) {
        values[slot] = transform(seq);
        ring.mark_done(slot);
      } else {
        values[slot] = seq;
        ring.submit(slot);
      }
    }
  });
  std::uint64_t consumed = 0;
  std::uint64_t mismatches = 0;
  for (std::uint64_t seq = 0;; ++seq) {
    if (!ring.wait_done(seq)) {
      ADD_FAILURE() << "ring stopped at " << seq;
      break;
    }
    std::size_t slot = ring.slot_of(seq);
    if (values[slot] == kEndMarker) break;
    if (values[slot] != transform(seq)) ++mismatches;
    ++consumed;
    ring.release(slot);
  }
  ring.stop(workers);
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(consumed, items);
  EXPECT_EQ(mismatches, 0u);
}

TEST(OrderedRingTest, ThreeWorkersPassAHundredThousandItemsInOrder) {
  run_pipeline(8, 3, 100000, 0);
}

TEST(OrderedRingTest, SingleSlotSingleWorker) { run_pipeline(1, 1, 2000, 0); }

TEST(OrderedRingTest, ProducerCompletedItemsInterleaveInOrder) { run_pipeline(5, 2, 20000, 7); }

TEST(OrderedRingTest, SlotOfWrapsAround) {
  OrderedRing ring(6);
  EXPECT_EQ(ring.slot_count(), 6u);
  EXPECT_EQ(ring.slot_of(0), 0u);
  EXPECT_EQ(ring.slot_of(5), 5u);
  EXPECT_EQ(ring.slot_of(6), 0u);
  EXPECT_EQ(ring.slot_of(6000000001ull), 6000000001ull % 6);
}

TEST(OrderedRingTest, FreshSlotsAreFreeAndDoneSlotsAreDone) {
  OrderedRing ring(2);
  EXPECT_TRUE(ring.wait_free(0));
  EXPECT_TRUE(ring.wait_free(1));
  ring.mark_done(0);
  EXPECT_TRUE(ring.wait_done(0));
  ring.release(0);
  EXPECT_TRUE(ring.wait_free(2));
  EXPECT_FALSE(ring.stopped());
}

// Runs `wait` on a thread and checks that stop() makes it return false within a deadline.
// On a hang the thread is detached (it keeps the ring alive) and the test fails.
void expect_stop_wakes(const std::shared_ptr<OrderedRing>& ring, std::size_t workers,
                       std::function<bool(OrderedRing&)> wait) {
  auto result = std::make_shared<std::promise<bool>>();
  std::future<bool> done = result->get_future();
  std::thread waiter([ring, result, wait] { result->set_value(wait(*ring)); });
  EXPECT_EQ(done.wait_for(50ms), std::future_status::timeout) << "returned before stop()";
  ring->stop(workers);
  if (done.wait_for(10s) != std::future_status::ready) {
    waiter.detach();
    FAIL() << "stop() did not wake the waiter";
  }
  waiter.join();
  EXPECT_FALSE(done.get());
  EXPECT_TRUE(ring->stopped());
}

TEST(OrderedRingTest, StopWakesAWaitingConsumer) {
  auto ring = std::make_shared<OrderedRing>(4);
  expect_stop_wakes(ring, 0, [](OrderedRing& r) { return r.wait_done(0); });
}

TEST(OrderedRingTest, StopWakesAWaitingProducer) {
  auto ring = std::make_shared<OrderedRing>(2);
  ring->mark_done(0);
  ring->mark_done(1);
  expect_stop_wakes(ring, 0, [](OrderedRing& r) { return r.wait_free(2); });
}

TEST(OrderedRingTest, StopWakesWaitingWorkers) {
  auto ring = std::make_shared<OrderedRing>(4);
  std::vector<std::future<bool>> workers;
  for (int idx = 0; idx < 3; ++idx) {
    workers.push_back(std::async(std::launch::async, [ring] {
      std::size_t slot = 0;
      return ring->take_work(&slot);
    }));
  }
  std::this_thread::sleep_for(20ms);
  ring->stop(3);
  for (std::future<bool>& worker : workers) {
    ASSERT_EQ(worker.wait_for(10s), std::future_status::ready);
    EXPECT_FALSE(worker.get());
  }
}

TEST(OrderedRingTest, AfterStopEveryWaitFailsAtOnceAndStopIsIdempotent) {
  OrderedRing ring(3);
  ring.mark_done(1);
  ring.stop(2);
  ring.stop(2);
  EXPECT_TRUE(ring.stopped());
  EXPECT_FALSE(ring.wait_free(0));
  EXPECT_FALSE(ring.wait_done(1));
  EXPECT_FALSE(ring.wait_done(2));
  std::size_t slot = 0;
  EXPECT_FALSE(ring.take_work(&slot));
  EXPECT_FALSE(ring.take_work(&slot));
}

TEST(OrderedRingTest, StopRacingWithStateChangesKeepsTheStopBit) {
  OrderedRing ring(1);
  ring.stop(0);
  ring.mark_done(0);  // a late state change after stop must not clear it
  EXPECT_FALSE(ring.wait_done(0));
  ring.release(0);
  EXPECT_FALSE(ring.wait_free(0));
}

}  // namespace
}  // namespace samsort
