#include "reader.h"

#include <bpf/libbpf.h>
#include <sys/epoll.h>
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

Reader::Reader(int ringFd, size_t batchBytes, uint32_t maxPending, int flushMs,
               std::function<void(Batch *)> deliver)
    : batchBytes_(batchBytes), maxPending_(maxPending), flushMs_(flushMs), deliver_(std::move(deliver)) {
  rb_ = ring_buffer__new(ringFd, &Reader::OnSample, this, nullptr);
  if (!rb_) throw std::runtime_error(std::string("ring_buffer__new: ") + strerror(errno));
  // Our own epoll, edge-triggered: level-triggered would spin while records wait unconsumed.
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  if (epfd_ < 0 || epoll_ctl(epfd_, EPOLL_CTL_ADD, ringFd, &ev) != 0) {
    int e = errno;
    ring_buffer__free(rb_);
    if (epfd_ >= 0) close(epfd_);
    throw std::runtime_error(std::string("epoll on the ring buffer: ") + strerror(e));
  }
}

Reader::~Reader() {
  Stop();
  ring_buffer__free(rb_);
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

// Called by libbpf for each record; the record is consumed whatever we return, so it is always
// copied; a negative return only stops this drain when the pending limit is reached.
int Reader::OnSample(void *ctx, void *data, size_t size) {
  Reader *r = static_cast<Reader *>(ctx);
  size_t need = (size + 7) & ~size_t(7);
  if (r->cur_ && r->cur_->len + need > r->cur_->cap) r->Flush();
  if (!r->cur_) r->cur_ = r->NewBatch();
  if (!r->cur_) abort();  // out of memory: nothing sensible to do in a reader thread
  memcpy(r->cur_->data + r->cur_->len, data, size);
  r->cur_->len += need;
  r->cur_->count++;
  return r->pending_.load(std::memory_order_relaxed) >= r->maxPending_ ? -EAGAIN : 0;
}

void Reader::Loop() {
  epoll_event ev;
  while (!stop_.load()) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_.load() || pending_ < maxPending_; });
    }
    if (stop_.load()) break;
    epoll_wait(epfd_, &ev, 1, flushMs_);
    ring_buffer__consume(rb_);
    if (pending_.load() < maxPending_) Flush();
  }
}
