// N-API glue for the socket poller (native/io/poller.h): argument checking and conversion only.
#include "poller_addon.h"

#include <memory>
#include <vector>

#include "io/poller.h"

namespace {

using dax::io::Event;
using dax::io::Poller;
using dax::io::Writer;

class NativePoller : public Napi::ObjectWrap<NativePoller> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Poller",
                       {
                           InstanceMethod("add", &NativePoller::Add),
                           InstanceMethod("interest", &NativePoller::Interest),
                           InstanceMethod("write", &NativePoller::Write),
                           InstanceMethod("writev", &NativePoller::Writev),
                           InstanceMethod("shutdown", &NativePoller::Shutdown),
                           InstanceMethod("queued", &NativePoller::Queued),
                           InstanceMethod("wantDrain", &NativePoller::WantDrain),
                           InstanceMethod("remove", &NativePoller::Remove),
                           InstanceMethod("close", &NativePoller::Close),
                       });
  }

  // new Poller(arena: Buffer, events: Int32Array (4 per event), batch: number, dispatch: (count) => void)
  NativePoller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativePoller>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsBuffer() || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array || !info[2].IsNumber() ||
        !info[3].IsFunction()) {
      Napi::TypeError::New(env, "Poller(arena: Buffer, events: Int32Array, batch: number, dispatch: Function)").ThrowAsJavaScriptException();
      return;
    }
    auto arena = info[0].As<Napi::Buffer<uint8_t>>();
    auto events = info[1].As<Napi::Int32Array>();
    if (arena.Length() < 64 * 1024 || arena.Length() > INT32_MAX || events.ElementLength() < 8) {
      Napi::RangeError::New(env, "Poller: arena of 64 KiB to 2 GiB, room for at least 2 events").ThrowAsJavaScriptException();
      return;
    }
    arena_ref_ = Napi::Reference<Napi::Buffer<uint8_t>>::New(arena, 1);
    events_ref_ = Napi::Reference<Napi::Int32Array>::New(events, 1);
    dispatch_ = Napi::Persistent(info[3].As<Napi::Function>());
    uint32_t batch = info[2].As<Napi::Number>().Uint32Value();
    // Optional 5th argument: the writer's test knobs { inlineMax, writerDelayUs } (writer.h Options).
    Writer::Options wopt;
    if (info.Length() > 4 && info[4].IsObject()) {
      Napi::Object o = info[4].As<Napi::Object>();
      if (o.Get("inlineMax").IsNumber()) wopt.inline_max = size_t(o.Get("inlineMax").As<Napi::Number>().Int64Value());
      if (o.Get("writerDelayUs").IsNumber()) wopt.delay_us = o.Get("writerDelayUs").As<Napi::Number>().Uint32Value();
    }
    napi_value name = Napi::String::New(env, "daxcache.poller");
    napi_async_init(env, nullptr, name, &async_);
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    try {
      poller_ = std::make_unique<Poller>(loop, arena.Data(), uint32_t(arena.Length()), reinterpret_cast<Event*>(events.Data()),
                                         uint32_t(events.ElementLength() / 4), batch, [this](uint32_t n) { Dispatch(n); }, wopt);
    } catch (const std::exception& e) {  // the writer thread's epoll/eventfd/thread could not be made
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
    }
  }

  ~NativePoller() override {
    if (poller_) poller_->close();
    if (async_) napi_async_destroy(Env(), async_);
  }

 private:
  std::unique_ptr<Poller> poller_;
  Napi::Reference<Napi::Buffer<uint8_t>> arena_ref_;
  Napi::Reference<Napi::Int32Array> events_ref_;
  Napi::FunctionReference dispatch_;
  napi_async_context async_ = nullptr;

  // From the loop's check phase: one JavaScript call for the iteration's events. An exception
  // thrown there is the process's uncaught exception, as for any other callback.
  void Dispatch(uint32_t n) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    napi_value arg = Napi::Number::New(env, double(n));
    napi_value result;
    napi_status st = napi_make_callback(env, async_, Value(), dispatch_.Value(), 1, &arg, &result);
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }

  static Napi::Value Num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

  bool Id(const Napi::CallbackInfo& info, int32_t& id) {
    if (!poller_ || !info[0].IsNumber()) {
      Napi::TypeError::New(info.Env(), "Poller: connection id expected").ThrowAsJavaScriptException();
      return false;
    }
    id = info[0].As<Napi::Number>().Int32Value();
    return true;
  }

  Napi::Value Add(const Napi::CallbackInfo& info) {
    if (!poller_ || !info[0].IsNumber()) return Num(info.Env(), -EBADF);
    return Num(info.Env(), poller_->add(info[0].As<Napi::Number>().Int32Value()));
  }

  Napi::Value Interest(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    return Num(info.Env(), poller_->interest(id, info[1].ToBoolean()));
  }

  // write(id, buf) -> the connection's queued bytes (this write included) or -errno
  Napi::Value Write(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    if (!info[1].IsTypedArray()) {
      Napi::TypeError::New(info.Env(), "write(id, data: Uint8Array)").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    auto b = info[1].As<Napi::Uint8Array>();
    iovec iov{b.Data(), b.ByteLength()};
    return Num(info.Env(), double(poller_->writev(id, &iov, 1)));
  }

  // writev(id, bufs: Uint8Array[]) -> the connection's queued bytes or -errno
  Napi::Value Writev(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    if (!info[1].IsArray()) {
      Napi::TypeError::New(info.Env(), "writev(id, data: Uint8Array[])").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    Napi::Array a = info[1].As<Napi::Array>();
    uint32_t n = a.Length();
    std::vector<iovec> iov;
    iov.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value v = a.Get(i);
      if (!v.IsTypedArray()) {
        Napi::TypeError::New(info.Env(), "writev(id, data: Uint8Array[])").ThrowAsJavaScriptException();
        return info.Env().Undefined();
      }
      auto b = v.As<Napi::Uint8Array>();
      if (b.ByteLength()) iov.push_back(iovec{b.Data(), b.ByteLength()});
    }
    return Num(info.Env(), double(poller_->writev(id, iov.data(), int(iov.size()))));
  }

  Napi::Value Shutdown(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    return Num(info.Env(), double(poller_->shutdown_write(id)));
  }

  Napi::Value Queued(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    return Num(info.Env(), double(poller_->queued(id)));
  }

  Napi::Value WantDrain(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    return Num(info.Env(), poller_->want_drain(id));
  }

  Napi::Value Remove(const Napi::CallbackInfo& info) {
    int32_t id;
    if (!Id(info, id)) return info.Env().Undefined();
    poller_->remove(id);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (poller_) poller_->close();
    return info.Env().Undefined();
  }
};

}  // namespace

Napi::Function InitPoller(Napi::Env env) { return NativePoller::Init(env); }
