// The saker_probe addon: loads the BPF skeleton (bpf/probe.bpf.c), configures the syscalls it
// is given, attaches their exit tracepoints and streams batches of packed records (layout:
// bpf/record.h) to a JavaScript callback. probe/native.ts is the only caller; it validates the
// options and builds the per-syscall configuration from probe/syscalls.ts.
#include <napi.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <algorithm>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "probe.skel.h"
#include "reader.h"
#include "record.h"

namespace {

std::string g_libbpfLog;  // libbpf messages of the current open (verifier log on failure)

int LibbpfPrint(enum libbpf_print_level level, const char *fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[2048];
  vsnprintf(buf, sizeof(buf), fmt, args);
  g_libbpfLog += buf;
  if (g_libbpfLog.size() > 65536) g_libbpfLog.erase(0, g_libbpfLog.size() - 65536);
  return 0;
}

std::string LogTail() {
  const size_t keep = 3000;
  return g_libbpfLog.size() > keep ? g_libbpfLog.substr(g_libbpfLog.size() - keep) : g_libbpfLog;
}

// Classic tracepoints are found through tracefs; mount it when nothing provides it.
void EnsureTracefs() {
  if (access("/sys/kernel/tracing/events", F_OK) == 0) return;
  if (access("/sys/kernel/debug/tracing/events", F_OK) == 0) return;
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    throw std::runtime_error(std::string("tracefs is not mounted and mounting it on /sys/kernel/tracing failed: ") +
                             strerror(errno));
}

uint32_t U32(const Napi::Object &o, const char *k) { return o.Get(k).As<Napi::Number>().Uint32Value(); }
uint64_t U64(const Napi::Object &o, const char *k) {
  bool lossless;
  return o.Get(k).As<Napi::BigInt>().Uint64Value(&lossless);
}

class Probe : public Napi::ObjectWrap<Probe> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeProbe",
                       {InstanceMethod("stats", &Probe::Stats), InstanceMethod("ack", &Probe::Ack),
                        InstanceMethod("finish", &Probe::Finish), InstanceMethod("close", &Probe::Close),
                        InstanceMethod("missing", &Probe::Missing)});
  }

  // new NativeProbe(options, onBatch(buffer, count, bootToEpochNs)); after finish(), one last
  // onBatch(null) says every record has been delivered.
  explicit Probe(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Probe>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].As<Napi::Object>();
    Napi::Function onBatch = info[1].As<Napi::Function>();
    try {
      Open(o);
    } catch (const std::exception &e) {
      Teardown();
      throw Napi::Error::New(env, e.what());
    }
    tsfn_ = Napi::ThreadSafeFunction::New(env, onBatch, "saker-probe-reader", 0, 1);
    reader_->Start();
  }

  ~Probe() override { Teardown(); }

 private:
  void Open(const Napi::Object &o) {
    g_libbpfLog.clear();
    libbpf_set_print(LibbpfPrint);
    EnsureTracefs();

    skel_ = saker_probe__open();
    if (!skel_) throw std::runtime_error("opening the BPF skeleton failed: " + LogTail());
    skel_->rodata->self_tgid = U32(o, "selfTgid");
    skel_->rodata->self_ns_dev = U64(o, "selfNsDev");
    skel_->rodata->self_ns_ino = U64(o, "selfNsIno");
    skel_->rodata->self_ns_pid = U32(o, "selfNsPid");
    skel_->rodata->wakeup_bytes = U32(o, "wakeupBytes");
    if (bpf_map__set_max_entries(skel_->maps.ring, U32(o, "ringBytes")) != 0)
      throw std::runtime_error("setting the ring buffer size failed");
    if (saker_probe__load(skel_) != 0) {
      int e = errno;
      throw std::runtime_error(std::string("loading the BPF program failed (") + strerror(e) +
                               "; needs root or CAP_BPF+CAP_PERFMON, and kernel BTF): " + LogTail());
    }

    int confFd = bpf_map__fd(skel_->maps.sc_conf);
    Napi::Array confs = o.Get("conf").As<Napi::Array>();
    for (uint32_t i = 0; i < confs.Length(); i++) {
      Napi::Object c = confs.Get(i).As<Napi::Object>();
      uint32_t nr = U32(c, "nr");
      saker_sc_conf conf{};
      conf.enabled = 1;
      conf.special = U32(c, "special");
      conf.tuple = U32(c, "tuple");
      Napi::Array kinds = c.Get("blobKinds").As<Napi::Array>();
      Napi::Array args = c.Get("blobArgs").As<Napi::Array>();
      for (uint32_t j = 0; j < SAKER_MAX_BLOBS && j < kinds.Length(); j++) {
        conf.blob_kind[j] = kinds.Get(j).As<Napi::Number>().Uint32Value();
        conf.blob_arg[j] = args.Get(j).As<Napi::Number>().Uint32Value();
      }
      if (bpf_map_update_elem(confFd, &nr, &conf, BPF_ANY) != 0)
        throw std::runtime_error("configuring syscall " + std::to_string(nr) + ": " + strerror(errno));
    }

    Attach(o.Get("exitTracepoints").As<Napi::Array>(), skel_->progs.saker_sys_exit, "syscalls");
    Attach(o.Get("enterTracepoints").As<Napi::Array>(), skel_->progs.saker_exec_enter, "syscalls");
    if (o.Get("procExit").As<Napi::Boolean>().Value()) {
      Napi::Array a = Napi::Array::New(o.Env(), 1);
      a.Set(0u, Napi::String::New(o.Env(), "sched_process_exit"));
      Attach(a, skel_->progs.saker_proc_exit, "sched");
    }

    reader_ = std::make_unique<Reader>(bpf_map__fd(skel_->maps.ring), U32(o, "ringBytes"), U32(o, "batchBytes"),
                                       U32(o, "maxPending"), U32(o, "flushMs"),
                                       [this](Batch *b) { Deliver(b); });
  }

  void Attach(const Napi::Array &names, bpf_program *prog, const char *category) {
    for (uint32_t i = 0; i < names.Length(); i++) {
      std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      bpf_link *l = bpf_program__attach_tracepoint(prog, category, name.c_str());
      if (!l && errno == ENOENT) {  // this kernel lacks the syscall (e.g. no module support)
        missing_.push_back(name);
        continue;
      }
      if (!l) {
        throw std::runtime_error("attaching tracepoint " + std::string(category) + "/" + name +
                                 " failed: " + strerror(errno) + " " + LogTail());
      }
      links_.push_back(l);
    }
  }

  void Deliver(Batch *b) {
    napi_status s = tsfn_.NonBlockingCall(b, [](Napi::Env env, Napi::Function fn, Batch *b) {
      if (env == nullptr || fn.IsEmpty()) {
        FreeBatch(b);
        return;
      }
      if (b == nullptr) {  // the end, after finish()
        fn.Call({env.Null()});
        return;
      }
      Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(
          env, b->data, b->len, [](Napi::Env, uint8_t *, Batch *b) { FreeBatch(b); }, b);
      fn.Call({buf, Napi::Number::New(env, b->count), Napi::BigInt::New(env, b->bootToEpochNs)});
    });
    if (s != napi_ok) FreeBatch(b);  // closing: the batch is discarded with the probe
  }

  void Teardown() {
    if (reader_) {
      reader_->Stop();
      reader_.reset();
    }
    DestroyLinks();
    if (skel_) {
      saker_probe__destroy(skel_);
      skel_ = nullptr;
    }
    if (tsfn_) {
      tsfn_.Release();
      tsfn_ = Napi::ThreadSafeFunction();
    }
  }

  // Each detach waits for an RCU grace period; detaching from several threads lets the waits
  // overlap (closing 30 tracepoints one by one takes seconds).
  void DestroyLinks() {
    const size_t n = links_.size(), workers = std::min<size_t>(n, 16);
    std::vector<std::thread> ts;
    for (size_t w = 0; w < workers; w++) {
      ts.emplace_back([this, w, n, workers] {
        for (size_t i = w; i < n; i += workers) bpf_link__destroy(links_[i]);
      });
    }
    for (auto &t : ts) t.join();
    links_.clear();
  }

  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!skel_) throw Napi::Error::New(env, "probe is closed");
    int ncpu = libbpf_num_possible_cpus();
    std::vector<saker_cpu_stats> v(ncpu > 0 ? ncpu : 1);
    uint32_t zero = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.stats), &zero, v.data()) != 0)
      throw Napi::Error::New(env, std::string("reading the stats map: ") + strerror(errno));
    Napi::Array cpus = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) {
      Napi::Object c = Napi::Object::New(env);
      c.Set("cpu", Napi::Number::New(env, i));
      c.Set("emitted", Napi::Number::New(env, v[i].emitted));
      c.Set("ringFull", Napi::Number::New(env, v[i].ring_full));
      c.Set("readFail", Napi::Number::New(env, v[i].read_fail));
      c.Set("tooBig", Napi::Number::New(env, v[i].too_big));
      cpus.Set(i, c);
    }
    // Run counts and time per program: non-zero only while the kernel's BPF stats are enabled
    // (sysctl kernel.bpf_stats_enabled); bench:probe uses them.
    Napi::Array progs = Napi::Array::New(env);
    bpf_program *prog;
    uint32_t np = 0;
    bpf_object__for_each_program(prog, skel_->obj) {
      bpf_prog_info pi{};
      uint32_t len = sizeof(pi);
      if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pi, &len) != 0) continue;
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Napi::String::New(env, bpf_program__name(prog)));
      o.Set("id", Napi::Number::New(env, pi.id));
      o.Set("runs", Napi::Number::New(env, pi.run_cnt));
      o.Set("runNs", Napi::Number::New(env, pi.run_time_ns));
      progs.Set(np++, o);
    }
    Napi::Object r = Napi::Object::New(env);
    r.Set("programs", progs);
    r.Set("perCpu", cpus);
    r.Set("delivered", Napi::Number::New(env, reader_->Delivered()));
    r.Set("batches", Napi::Number::New(env, reader_->Batches()));
    r.Set("pendingBatches", Napi::Number::New(env, reader_->Pending()));
    return r;
  }

  Napi::Value Ack(const Napi::CallbackInfo &info) {
    if (reader_) reader_->Ack(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }

  // Tracepoints that do not exist on this kernel (left unattached).
  Napi::Value Missing(const Napi::CallbackInfo &info) {
    Napi::Array a = Napi::Array::New(info.Env(), missing_.size());
    for (size_t i = 0; i < missing_.size(); i++) a.Set(i, Napi::String::New(info.Env(), missing_[i]));
    return a;
  }

  // Detaches every program (no record is produced after this returns), then lets the reader
  // deliver what is left in the ring and the end marker. close() releases the rest.
  Napi::Value Finish(const Napi::CallbackInfo &info) {
    DestroyLinks();
    if (reader_) reader_->Finish();
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    Teardown();
    return info.Env().Undefined();
  }

  saker_probe *skel_ = nullptr;
  std::vector<bpf_link *> links_;
  std::vector<std::string> missing_;
  std::unique_ptr<Reader> reader_;
  Napi::ThreadSafeFunction tsfn_;
};

Napi::Value BootToEpoch(const Napi::CallbackInfo &info) { return Napi::BigInt::New(info.Env(), BootToEpochNs()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeProbe", Probe::Define(env));
  exports.Set("bootToEpochNs", Napi::Function::New(env, BootToEpoch));
  return exports;
}

}  // namespace

NODE_API_MODULE(saker_probe, Init)
