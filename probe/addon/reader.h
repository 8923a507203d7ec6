// The ring buffer reader: one native thread that drains the BPF ring buffer into batches of
// packed records (layout: bpf/record.h; records 8-byte aligned, back to back) and hands each
// full or timed-out batch to `deliver`. The kernel side submits without wakeups until a fill
// threshold, so the thread waits on an edge-triggered epoll with a `flushMs` timeout.
// Back-pressure: at most `maxPending` batches may be out (delivered, not yet acked); past that
// the thread stops draining, the ring fills and the kernel counts the drops.
// Finish (after the programs are detached): the thread drains what is left in the ring without
// back-pressure (bounded by the ring's size), delivers it, then delivers nullptr (the end) and exits.
// The ring is read through its own mmap (not libbpf's ring_buffer, which publishes the consumer
// position after every record): the position is published once per drain or every quarter
// ring, so the producers on other CPUs do not miss on its cache line for each record.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>


struct Batch {
  uint8_t *data;
  size_t len;
  size_t cap;
  uint32_t count;
  int64_t bootToEpochNs;  // CLOCK_REALTIME - CLOCK_BOOTTIME when the batch was closed
};

void FreeBatch(Batch *b);
int64_t BootToEpochNs();

class Reader {
 public:
  Reader(int ringFd, size_t ringBytes, size_t batchBytes, uint32_t maxPending, int flushMs,
         std::function<void(Batch *)> deliver);
  ~Reader();
  void Start();
  void Finish();  // drain the rest, deliver it and then nullptr; the thread exits by itself
  void Stop();    // joins the thread; the current partial batch is freed
  void Ack(uint32_t n);
  uint64_t Delivered() const { return delivered_.load(std::memory_order_relaxed); }
  uint64_t Batches() const { return batches_.load(std::memory_order_relaxed); }
  uint32_t Pending();

 private:
  void Drain();
  void Loop();
  void Flush();
  Batch *NewBatch();

  void *consumerPage_ = nullptr;  // RW: consumer_pos
  void *producerArea_ = nullptr;  // RO: producer_pos page, then the data pages mapped twice
  size_t ringBytes_;
  size_t pageSize_;
  int epfd_ = -1;
  size_t batchBytes_;
  uint32_t maxPending_;
  int flushMs_;
  std::function<void(Batch *)> deliver_;
  Batch *cur_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finishing_{false};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> batches_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint32_t> pending_{0};  // changed under mu_, read lock-free per record
};
