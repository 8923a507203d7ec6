#include "reader.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

#include <linux/types.h>
#include "record.h"

void FreeBatch(Batch *b) {
  if (!b) return;
  free(b->data);
  delete b;
}

int64_t BootToEpochNs() {
  timespec rt, bt;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_BOOTTIME, &bt);
  return (int64_t(rt.tv_sec) - bt.tv_sec) * 1000000000LL + (int64_t(rt.tv_nsec) - bt.tv_nsec);
}

Reader::Reader(int ringFd, size_t ringBytes, size_t batchBytes, uint32_t maxPending, int flushMs,
               std::function<void(Batch *)> deliver)
    : ringBytes_(ringBytes), batchBytes_(batchBytes), maxPending_(maxPending), flushMs_(flushMs),
      deliver_(std::move(deliver)) {
  pageSize_ = sysconf(_SC_PAGESIZE);
  consumerPage_ = mmap(nullptr, pageSize_, PROT_READ | PROT_WRITE, MAP_SHARED, ringFd, 0);
  if (consumerPage_ == MAP_FAILED) throw std::runtime_error(std::string("mmap ring consumer page: ") + strerror(errno));
  producerArea_ = mmap(nullptr, pageSize_ + 2 * ringBytes_, PROT_READ, MAP_SHARED, ringFd, pageSize_);
  if (producerArea_ == MAP_FAILED) {
    int e = errno;
    munmap(consumerPage_, pageSize_);
    throw std::runtime_error(std::string("mmap ring data: ") + strerror(e));
  }
  // Edge-triggered: level-triggered would report readable as long as records wait unconsumed.
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  if (epfd_ < 0 || epoll_ctl(epfd_, EPOLL_CTL_ADD, ringFd, &ev) != 0) {
    int e = errno;
    munmap(consumerPage_, pageSize_);
    munmap(producerArea_, pageSize_ + 2 * ringBytes_);
    if (epfd_ >= 0) close(epfd_);
    throw std::runtime_error(std::string("epoll on the ring buffer: ") + strerror(e));
  }
}

Reader::~Reader() {
  Stop();
  munmap(consumerPage_, pageSize_);
  munmap(producerArea_, pageSize_ + 2 * ringBytes_);
  close(epfd_);
}

void Reader::Start() { thread_ = std::thread(&Reader::Loop, this); }

void Reader::Stop() {
  if (stop_.exchange(true)) return;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  FreeBatch(cur_);
  cur_ = nullptr;
}

void Reader::Finish() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    finishing_.store(true);
  }
  cv_.notify_all();
}

void Reader::Ack(uint32_t n) {
  std::lock_guard<std::mutex> lk(mu_);
  uint32_t p = pending_.load();
  pending_.store(n > p ? 0 : p - n);
  cv_.notify_all();
}

uint32_t Reader::Pending() { return pending_.load(); }

Batch *Reader::NewBatch() {
  Batch *b = new Batch{};
  b->data = static_cast<uint8_t *>(malloc(batchBytes_));
  if (!b->data) {
    delete b;
    return nullptr;
  }
  b->cap = batchBytes_;
  return b;
}

void Reader::Flush() {
  if (!cur_ || cur_->count == 0) return;
  Batch *b = cur_;
  cur_ = nullptr;
  b->bootToEpochNs = BootToEpochNs();
  {
    std::lock_guard<std::mutex> lk(mu_);
    pending_++;
  }
  delivered_.fetch_add(b->count, std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
  deliver_(b);
}

// Kernel ring layout (kernel/bpf/ringbuf.c): each record is an 8-byte header (u32 len with
// BUSY and DISCARD bits, u32 page offset) and the sample, padded to 8 bytes; the data pages are
// mapped twice in a row, so a record that wraps is still contiguous.
constexpr uint32_t kBusy = 1u << 31, kDiscard = 1u << 30, kHdr = 8;

void Reader::Drain() {
  auto *consumerPos = static_cast<uint64_t *>(consumerPage_);
  auto *producerPos = static_cast<const uint64_t *>(producerArea_);
  const uint8_t *data = static_cast<const uint8_t *>(producerArea_) + pageSize_;
  const uint64_t mask = ringBytes_ - 1;
  uint64_t cons = *consumerPos, published = cons;
  for (;;) {
    uint64_t prod = __atomic_load_n(producerPos, __ATOMIC_ACQUIRE);
    if (cons >= prod) break;
    while (cons < prod) {
      if (pending_.load(std::memory_order_relaxed) >= maxPending_ && !finishing_.load(std::memory_order_relaxed))
        goto out;  // back-pressure (not when finishing: what is left is bounded by the ring)
      const uint32_t *hdr = reinterpret_cast<const uint32_t *>(data + (cons & mask));
      uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
      if (len & kBusy) goto out;  // still being written: next drain
      uint32_t size = len & ~(kBusy | kDiscard);
      if (!(len & kDiscard)) {
        size_t need = (size + 7) & ~size_t(7);
        if (cur_ && cur_->len + need > cur_->cap) Flush();
        if (!cur_) cur_ = NewBatch();
        if (!cur_) abort();  // out of memory: nothing sensible to do in a reader thread
        memcpy(cur_->data + cur_->len, hdr + 2, size);
        cur_->len += need;
        cur_->count++;
      }
      cons += (size + kHdr + 7) & ~uint64_t(7);
      if (cons - published >= ringBytes_ / 4) {
        __atomic_store_n(consumerPos, cons, __ATOMIC_RELEASE);
        published = cons;
      }
    }
  }
out:
  if (cons != published) __atomic_store_n(consumerPos, cons, __ATOMIC_RELEASE);
}

void Reader::Loop() {
  epoll_event ev;
  while (!stop_.load()) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_.load() || finishing_.load() || pending_ < maxPending_; });
    }
    if (stop_.load()) break;
    if (finishing_.load()) {
      // The programs are detached, so nothing is being written: one drain takes all that is left.
      Drain();
      Flush();
      deliver_(nullptr);
      return;
    }
    epoll_wait(epfd_, &ev, 1, flushMs_);
    Drain();
    if (pending_.load() < maxPending_) Flush();
  }
}
