// N-API glue only: argument checking and conversion. Store logic lives in native/core.
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <unistd.h>
#include <memory>

#include "check.h"
#include "poller_addon.h"
#include "store.h"
#include "tiered_store.h"

using namespace dax;

namespace {

// One N-API call (a typed array's info without its data, which would materialize its ArrayBuffer)
// where IsBuffer() || IsTypedArray() made two: every key and value of every command passes here.
bool is_bytes(const Napi::Value& v) {
  napi_typedarray_type t;
  return napi_get_typedarray_info(v.Env(), v, &t, nullptr, nullptr, nullptr, nullptr) == napi_ok;
}

// A boolean argument; anything else (undefined for an optional one) is false. napi_get_value_bool
// reads it in place, where ToBoolean() coerces and makes a new handle.
bool flag(const Napi::Value& v) {
  bool b = false;
  return napi_get_value_bool(v.Env(), v, &b) == napi_ok && b;
}

struct Bytes {
  const uint8_t* p;
  uint64_t n;
};

Bytes bytes_of(const Napi::Value& v) {
  static const uint8_t empty = 0;  // an empty buffer may have no data pointer: memcpy/memcmp need one
  auto a = v.As<Napi::Uint8Array>();
  return {a.ByteLength() ? a.Data() : &empty, a.ByteLength()};
}

Napi::Value throw_type(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value throw_pool(Napi::Env env, const PoolError& e) {
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Set("code", Napi::String::New(env, pool_err_code(e.code)));
  err.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Object header_object(Napi::Env env, const PoolHeaderStatic& h) {
  Napi::Object o = Napi::Object::New(env);
  char uuid[37];
  const uint8_t* u = h.uuid;
  snprintf(uuid, sizeof(uuid), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
           u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  o.Set("version", double(h.version));
  o.Set("uuid", uuid);
  o.Set("poolSize", double(h.pool_size));
  o.Set("createdMs", double(h.created_ms));
  o.Set("logSize", double(h.log_size));
  o.Set("indexBuckets", double(h.index_buckets));
  o.Set("slabPages", double(h.npages));
  o.Set("slabPageSize", double(h.slab_page_size));
  o.Set("slabOffset", double(h.slab_off));
  o.Set("sizeClasses", double(h.nclasses));
  o.Set("createdSize", double(h.version == LAYOUT_VERSION ? h.created_size : h.pool_size));
  o.Set("growths", double(h.growths));
  return o;
}

// mode: 'shared' | 'sim-cacheline' | 'sim-adr' | 'sim-eadr' | 'sim-page'; for sim modes: seed,
// crashAtDrain, crashAtFlush, imagePrefix, imageEvery, writeback, earlyEvery, fault (see sim.h).
bool sim_options(Napi::Env env, const Napi::Object& o, PoolOptions& opt) {
  auto str = [&](const char* k, const char* def) {
    return o.Has(k) && o.Get(k).IsString() ? std::string(o.Get(k).As<Napi::String>()) : std::string(def);
  };
  auto num = [&](const char* k, double def) { return o.Has(k) && o.Get(k).IsNumber() ? o.Get(k).As<Napi::Number>().DoubleValue() : def; };
  std::string mode = str("mode", "shared");
  SimOptions& s = opt.sim;
  if (mode == "sim-cacheline") opt.mode = MapMode::SimCacheLine;
  else if (mode == "sim-adr") opt.mode = MapMode::SimCacheLine, s.model = SimModel::Adr;
  else if (mode == "sim-eadr") opt.mode = MapMode::SimCacheLine, s.model = SimModel::Eadr;
  else if (mode == "sim-page") opt.mode = MapMode::SimPage, s.model = SimModel::Page;
  else if (mode != "shared") {
    throw_type(env, "mode must be 'shared', 'sim-cacheline', 'sim-adr', 'sim-eadr' or 'sim-page'");
    return false;
  }
  s.seed = uint64_t(num("seed", 0));
  s.crash_at_drain = uint64_t(num("crashAtDrain", 0));
  s.crash_at_flush = uint64_t(num("crashAtFlush", 0));
  s.image_prefix = str("imagePrefix", "");
  s.image_every = uint64_t(num("imageEvery", 0));
  s.writeback = num("writeback", -1);
  s.early_every = uint32_t(num("earlyEvery", 16));
  std::string fault = str("fault", "none");
  if (fault == "skip-item-persist") s.fault = Fault::SkipItemPersist;
  else if (fault == "skip-phase1-drain") s.fault = Fault::SkipPhase1Drain;
  else if (fault == "publish-before-persist") s.fault = Fault::PublishBeforePersist;
  else if (fault != "none") {
    throw_type(env, "fault must be 'none', 'skip-item-persist', 'skip-phase1-drain' or 'publish-before-persist'");
    return false;
  }
  return true;
}

class NativeStore : public Napi::ObjectWrap<NativeStore> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "NativeStore",
                       {
                           InstanceMethod("setMeta", &NativeStore::SetMeta),
                           InstanceMethod("get", &NativeStore::Get),
                           InstanceMethod("getRange", &NativeStore::GetRange),
                           InstanceMethod("exists", &NativeStore::Exists),
                           InstanceMethod("lookup", &NativeStore::Lookup),
                           InstanceMethod("copyFound", &NativeStore::CopyFound),
                           InstanceMethod("set", &NativeStore::Set),
                           InstanceMethod("del", &NativeStore::Del),
                           InstanceMethod("delMany", &NativeStore::DelMany),
                           InstanceMethod("touch", &NativeStore::Touch),
                           InstanceMethod("append", &NativeStore::Append),
                           InstanceMethod("setRange", &NativeStore::SetRange),
                           InstanceMethod("setBit", &NativeStore::SetBit),
                           InstanceMethod("rename", &NativeStore::Rename),
                           InstanceMethod("copy", &NativeStore::Copy),
                           InstanceMethod("mset", &NativeStore::MSet),
                           InstanceMethod("flushAll", &NativeStore::FlushAll),
                           InstanceMethod("beginAtomic", &NativeStore::BeginAtomic),
                           InstanceMethod("endAtomic", &NativeStore::EndAtomic),
                           InstanceMethod("atomicCapacity", &NativeStore::AtomicCapacity),
                           InstanceMethod("count", &NativeStore::Count),
                           InstanceMethod("scan", &NativeStore::Scan),
                           InstanceMethod("randomKey", &NativeStore::RandomKey),
                           InstanceMethod("barrier", &NativeStore::Barrier),
                           InstanceMethod("maintenance", &NativeStore::Maintenance),
                           InstanceMethod("close", &NativeStore::Close),
                           InstanceMethod("stats", &NativeStore::Stats),
                           InstanceMethod("classStats", &NativeStore::ClassStatsJs),
                           InstanceMethod("setLimits", &NativeStore::SetLimits),
                           InstanceMethod("accessInfo", &NativeStore::AccessInfoJs),
                           InstanceMethod("setAccessHint", &NativeStore::SetAccessHintJs),
                           InstanceMethod("setTier", &NativeStore::SetTier),
                           InstanceMethod("setReadDelay", &NativeStore::SetReadDelay),
                           InstanceMethod("keyInfo", &NativeStore::KeyInfoJs),
                           InstanceMethod("setNoTouch", &NativeStore::SetNoTouch),
                           InstanceMethod("mapGet", &NativeStore::MapGet),
                           InstanceMethod("mapPut", &NativeStore::MapPut),
                           InstanceMethod("mapDel", &NativeStore::MapDel),
                           InstanceMethod("mapLen", &NativeStore::MapLen),
                           InstanceMethod("mapScan", &NativeStore::MapScan),
                           InstanceMethod("mapRandom", &NativeStore::MapRandom),
                           InstanceMethod("setMapLimits", &NativeStore::SetMapLimits),
                           InstanceMethod("mapLookup", &NativeStore::MapLookup),
                           InstanceMethod("listPopOne", &NativeStore::ListPopOne),
                           InstanceMethod("setListFill", &NativeStore::SetListFill),
                           InstanceMethod("grow", &NativeStore::Grow),
                           InstanceMethod("preallocate", &NativeStore::Preallocate),
                           InstanceMethod("zsetSpan", &NativeStore::ZsetSpan),
                           InstanceMethod("zsetSlice", &NativeStore::ZsetSlice),
                           InstanceMethod("zsetRank", &NativeStore::ZsetRank),
                           InstanceMethod("setZsetOrderBudget", &NativeStore::SetZsetOrderBudget),
                           InstanceMethod("zsetOrderCheck", &NativeStore::ZsetOrderCheck),
                           InstanceMethod("listPush", &NativeStore::ListPush),
                           InstanceMethod("listPop", &NativeStore::ListPop),
                           InstanceMethod("listLen", &NativeStore::ListLen),
                           InstanceMethod("listRange", &NativeStore::ListRange),
                           InstanceMethod("listIndex", &NativeStore::ListIndex),
                           InstanceMethod("listSet", &NativeStore::ListSet),
                           InstanceMethod("listTrim", &NativeStore::ListTrim),
                           InstanceMethod("listInsert", &NativeStore::ListInsert),
                           InstanceMethod("listRem", &NativeStore::ListRem),
                           InstanceMethod("listPos", &NativeStore::ListPos),
                           InstanceMethod("listMove", &NativeStore::ListMove),
                       });
  }

  // new NativeStore(path, { createSize, prefault, reserveSize, mode, onProgress, ...crash simulation (sim_options) })
  NativeStore(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeStore>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsString() || !info[1].IsObject()) {
      throw_type(env, "NativeStore(path: string, options: object)");
      return;
    }
    std::string path = info[0].As<Napi::String>();
    Napi::Object o = info[1].As<Napi::Object>();
    PoolOptions opt;
    if (o.Has("createSize") && o.Get("createSize").IsNumber()) opt.create_size = uint64_t(o.Get("createSize").As<Napi::Number>().DoubleValue());
    if (o.Has("prefault")) opt.prefault = o.Get("prefault").ToBoolean();
    if (o.Has("indexBuckets") && o.Get("indexBuckets").IsNumber())
      opt.index_buckets = uint64_t(o.Get("indexBuckets").As<Napi::Number>().Int64Value());
    if (o.Has("reserveSize") && o.Get("reserveSize").IsNumber())
      opt.reserve_size = uint64_t(o.Get("reserveSize").As<Napi::Number>().Int64Value());
    if (!sim_options(env, o, opt)) return;
    Napi::Function progress;
    if (o.Has("onProgress") && o.Get("onProgress").IsFunction()) {
      progress = o.Get("onProgress").As<Napi::Function>();
      opt.progress = [env, progress](uint64_t done, uint64_t total) {
        progress.Call({Napi::Number::New(env, double(done)), Napi::Number::New(env, double(total))});
      };
    }
    try {
      store_.reset(new Store(path, opt));
      reads_.reset(new TieredStore(*store_));
    } catch (const PoolError& e) {
      throw_pool(env, e);
      return;
    } catch (const std::exception& e) {
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
      return;
    }
  }

 private:
  std::unique_ptr<Store> store_;
  std::unique_ptr<TieredStore> reads_;  // reads through the DRAM tier; destroyed before the store
  double* meta_ = nullptr;  // [flags, expireMs, cas, length] of the last get/set, shared with JS
  Napi::Reference<Napi::Float64Array> meta_ref_;
  // The bytes the last lookup(), mapLookup() or listPopOne() found, for copyFound(): in the pool,
  // or in popped_ for a pop. Every other call clears them (in ready()), so they never outlive a
  // write, a barrier or a maintenance slice that might move or free the item.
  const uint8_t* found_p_ = nullptr;
  uint64_t found_n_ = 0;
  std::string popped_;

  void found(const uint8_t* p, uint64_t n) {
    static const uint8_t empty = 0;
    found_p_ = p ? p : &empty;
    found_n_ = n;
  }

  bool ready(Napi::Env env) {
    found_p_ = nullptr;
    if (store_ && !store_->closed()) return true;
    Napi::Error::New(env, "store is closed").ThrowAsJavaScriptException();
    return false;
  }
  void put_meta(const ItemHeader* h) {
    if (!meta_) return;
    meta_[0] = h->flags;
    meta_[1] = double(h->expire_ms);
    meta_[2] = double(h->cas);
    meta_[3] = double(h->vlen);
    meta_[4] = h->type;
  }
  // A string read: false (a miss) when the key is absent or holds a collection; meta[4] says which
  // (-1 absent, else the item type), so Redis answers WRONGTYPE where memcached misses.
  bool get_string(const Bytes& k, ItemView& v) {
    if (!reads_->get(k.p, k.n, v)) {
      if (meta_) meta_[4] = -1;
      return false;
    }
    if (v.h->type != ITEM_STRING) {
      if (meta_) meta_[4] = v.h->type;
      return false;
    }
    return true;
  }

  Napi::Value SetMeta(const Napi::CallbackInfo& info) {
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[0].As<Napi::Float64Array>().ElementLength() < 5)
      return throw_type(info.Env(), "setMeta(Float64Array(5))");
    auto a = info[0].As<Napi::Float64Array>();
    meta_ref_ = Napi::Reference<Napi::Float64Array>::New(a, 1);
    meta_ = a.Data();
    return info.Env().Undefined();
  }

  Napi::Value Get(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "get(key: Buffer)");
    Bytes k = bytes_of(info[0]);
    ItemView v;
    if (!get_string(k, v)) return env.Null();
    put_meta(v.h);
    return Napi::Buffer<uint8_t>::Copy(env, v.val, v.h->vlen);
  }

  // getRange(key, offset, length) -> the value's bytes [offset, offset + length), cut at its end,
  // or null when absent; meta[3] = the whole value's length. Only the range is copied.
  Napi::Value GetRange(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !info[2].IsNumber()) return throw_type(env, "getRange(key, offset, length)");
    Bytes k = bytes_of(info[0]);
    double off = info[1].As<Napi::Number>().DoubleValue(), len = info[2].As<Napi::Number>().DoubleValue();
    ItemView v;
    if (!get_string(k, v)) return env.Null();
    put_meta(v.h);
    uint64_t n = v.h->vlen;
    uint64_t from = off > 0 ? std::min<uint64_t>(uint64_t(off), n) : 0;
    uint64_t take = len > 0 ? std::min<uint64_t>(uint64_t(std::min(len, 1e18)), n - from) : 0;
    return Napi::Buffer<uint8_t>::Copy(env, v.val + from, take);
  }

  // lookup(key) -> value length, or -1 when absent. Metadata goes to meta; copyFound(dst, pos)
  // then copies the value straight into the caller's reply buffer (no Buffer per value).
  Napi::Value Lookup(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "lookup(key: Buffer)");
    Bytes k = bytes_of(info[0]);
    ItemView v;
    if (!get_string(k, v)) return Napi::Number::New(env, -1);
    put_meta(v.h);
    found(v.val, v.h->vlen);
    return Napi::Number::New(env, double(v.h->vlen));
  }

  // copyFound(dst: Uint8Array, pos) copies the value found by the lookup() just before.
  Napi::Value CopyFound(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!found_p_ || !store_ || store_->closed()) {
      Napi::Error::New(env, "copyFound() must directly follow a successful lookup()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!is_bytes(info[0]) || !info[1].IsNumber()) return throw_type(env, "copyFound(dst: Uint8Array, pos: number)");
    auto dst = info[0].As<Napi::Uint8Array>();
    double pos = info[1].As<Napi::Number>().DoubleValue();
    uint64_t n = found_n_;
    if (!(pos >= 0) || pos + double(n) > double(dst.ByteLength())) {
      Napi::RangeError::New(env, "copyFound: the value does not fit at that position").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (n) memcpy(dst.Data() + uint64_t(pos), found_p_, n);
    return env.Undefined();
  }

  Napi::Value Exists(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "exists(key: Buffer)");
    Bytes k = bytes_of(info[0]);
    ItemView v;
    bool found = reads_->get(k.p, k.n, v);
    if (found) put_meta(v.h);
    return Napi::Boolean::New(env, found);
  }

  // set(key, value, mode 0|1|2, expireMs, flags, keepTtl, keepFlags, casCmp) -> status
  Napi::Value Set(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1]) || info.Length() < 8) return throw_type(env, "set(key, value, mode, expireMs, flags, keepTtl, keepFlags, casCmp)");
    Bytes k = bytes_of(info[0]), v = bytes_of(info[1]);
    SetOpts o;
    o.mode = SetOpts::Mode(info[2].As<Napi::Number>().Int32Value());
    o.expire_ms = info[3].As<Napi::Number>().Int64Value();
    o.flags = info[4].As<Napi::Number>().Uint32Value();
    o.keep_ttl = flag(info[5]);
    o.keep_flags = flag(info[6]);
    o.cas_cmp = uint64_t(info[7].As<Napi::Number>().DoubleValue());
    uint64_t cas = 0;
    St st = store_->set(k.p, k.n, v.p, v.n, o, &cas);
    if (meta_) meta_[2] = double(cas);
    return Napi::Number::New(env, int(st));
  }

  Napi::Value Del(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "del(key: Buffer)");
    Bytes k = bytes_of(info[0]);
    return Napi::Number::New(env, store_->del(k.p, k.n) == St::Ok ? 1 : 0);
  }

  static bool slices(const Napi::Value& v, std::vector<Slice>& out) {
    if (!v.IsArray()) return false;
    Napi::Array a = v.As<Napi::Array>();
    out.reserve(a.Length());
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value e = a.Get(i);
      if (!is_bytes(e)) return false;
      Bytes b = bytes_of(e);
      out.push_back({b.p, b.n});
    }
    return true;
  }

  // delMany(keys: Buffer[]) -> number deleted, or -status
  Napi::Value DelMany(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    std::vector<Slice> keys;
    if (!slices(info[0], keys)) return throw_type(env, "delMany(keys: Buffer[])");
    St st;
    uint64_t n = store_->del_many(keys, &st);
    return Napi::Number::New(env, st == St::Ok ? double(n) : -double(int(st)));
  }

  Napi::Value Touch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber()) return throw_type(env, "touch(key, expireMs)");
    Bytes k = bytes_of(info[0]);
    uint64_t cas = 0;
    St st = store_->touch(k.p, k.n, info[1].As<Napi::Number>().Int64Value(), &cas);
    if (meta_) meta_[2] = double(cas);
    return Napi::Number::New(env, int(st));
  }

  Napi::Value Append(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1])) return throw_type(env, "append(key, data, prepend)");
    Bytes k = bytes_of(info[0]), d = bytes_of(info[1]);
    uint64_t len = 0, cas = 0;
    St st = store_->append(k.p, k.n, d.p, d.n, flag(info[2]), &len, &cas);
    if (meta_) {
      meta_[2] = double(cas);
      meta_[3] = double(len);
    }
    return Napi::Number::New(env, int(st));
  }

  Napi::Value SetRange(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !is_bytes(info[2])) return throw_type(env, "setRange(key, offset, data)");
    Bytes k = bytes_of(info[0]), d = bytes_of(info[2]);
    uint64_t len = 0;
    St st = store_->setrange(k.p, k.n, uint64_t(info[1].As<Napi::Number>().DoubleValue()), d.p, d.n, &len);
    if (meta_) meta_[3] = double(len);
    return Napi::Number::New(env, int(st));
  }

  // setBit(key, byteOffset, mask, on) -> status; meta[3] = 1 when the bits were set before
  Napi::Value SetBit(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !info[2].IsNumber()) return throw_type(env, "setBit(key, byteOffset, mask, on)");
    Bytes k = bytes_of(info[0]);
    bool was = false;
    St st = store_->setbit(k.p, k.n, uint64_t(info[1].As<Napi::Number>().DoubleValue()),
                           uint8_t(info[2].As<Napi::Number>().Uint32Value()), flag(info[3]), &was);
    if (meta_) meta_[3] = was ? 1 : 0;
    return Napi::Number::New(env, int(st));
  }

  Napi::Value Rename(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1])) return throw_type(env, "rename(src, dst, nx)");
    Bytes s = bytes_of(info[0]), d = bytes_of(info[1]);
    return Napi::Number::New(env, int(store_->rename(s.p, s.n, d.p, d.n, flag(info[2]))));
  }

  Napi::Value Copy(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1])) return throw_type(env, "copy(src, dst, replace)");
    Bytes s = bytes_of(info[0]), d = bytes_of(info[1]);
    return Napi::Number::New(env, int(store_->copy(s.p, s.n, d.p, d.n, flag(info[2]))));
  }

  Napi::Value MSet(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    std::vector<Slice> kv;
    if (!slices(info[0], kv) || kv.size() % 2) return throw_type(env, "mset(keysAndValues: Buffer[], nx)");
    return Napi::Number::New(env, int(store_->mset(kv, flag(info[1]))));
  }

  Napi::Value FlushAll(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    store_->flush_all();
    return info.Env().Undefined();
  }

  // beginAtomic(buckets, bytes): boolean; endAtomic(); atomicCapacity(): number (see Store::begin_atomic)
  Napi::Value BeginAtomic(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber() || !info[1].IsNumber()) return throw_type(env, "beginAtomic(buckets: number, bytes: number)");
    double b = info[0].As<Napi::Number>().DoubleValue(), n = info[1].As<Napi::Number>().DoubleValue();
    return Napi::Boolean::New(env, store_->begin_atomic(b < 0 ? 0 : uint64_t(b), n < 0 ? 0 : uint64_t(n)));
  }

  Napi::Value EndAtomic(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    store_->end_atomic();
    return info.Env().Undefined();
  }

  Napi::Value AtomicCapacity(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), double(store_->atomic_capacity()));
  }

  Napi::Value Count(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), double(store_->count()));
  }

  Napi::Value Scan(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber() || !info[1].IsNumber()) return throw_type(env, "scan(cursor, count)");
    std::vector<Slice> keys;
    uint64_t next = store_->scan(uint64_t(info[0].As<Napi::Number>().DoubleValue()),
                                 std::max<int64_t>(1, info[1].As<Napi::Number>().Int64Value()), keys);
    Napi::Array arr = Napi::Array::New(env, keys.size());
    for (size_t i = 0; i < keys.size(); i++) arr.Set(uint32_t(i), Napi::Buffer<uint8_t>::Copy(env, keys[i].p, keys[i].n));
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, Napi::Number::New(env, double(next)));
    out.Set(1u, arr);
    return out;
  }

  Napi::Value RandomKey(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    Slice s;
    if (!store_->random_key(s)) return env.Null();
    return Napi::Buffer<uint8_t>::Copy(env, s.p, s.n);
  }

  Napi::Value Barrier(const Napi::CallbackInfo& info) {
    if (!ready(info.Env())) return info.Env().Undefined();
    store_->barrier();
    return info.Env().Undefined();
  }

  Napi::Value Maintenance(const Napi::CallbackInfo& info) {
    if (!store_ || store_->closed()) return Napi::Boolean::New(info.Env(), false);
    uint32_t budget = info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 256;
    uint32_t expire_us = info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 1000;
    return Napi::Boolean::New(info.Env(), store_->maintenance(budget, expire_us));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (reads_) reads_->set_budget(0);
    if (store_) store_->close();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    StoreStats s = store_->stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("items", double(s.items));
    o.Set("usedBytes", double(s.used_bytes));
    o.Set("slabBytes", double(s.total_bytes));
    o.Set("freePages", double(s.free_pages));
    o.Set("poolSize", double(s.pool_size));
    o.Set("poolGrowths", double(s.pool_growths));
    o.Set("poolMaxSize", double(s.pool_max_size));
    o.Set("corruptDropped", double(s.corrupt_dropped));
    o.Set("inplaceWrites", double(s.inplace_writes));
    o.Set("collsFreeing", double(s.colls_freeing));
    o.Set("zsetOrderBytes", double(s.zset_order_bytes));
    o.Set("zsetOrderTrees", double(s.zset_order_trees));
    o.Set("zsetOrderBuilds", double(s.zset_order_builds));
    o.Set("expiredRemoved", double(s.expired_removed));
    o.Set("flushedRemoved", double(s.flushed_removed));
    o.Set("barriers", double(s.barriers));
    o.Set("flushes", double(s.flushes));
    o.Set("drains", double(s.drains));
    o.Set("logReplayed", double(s.log_replayed));
    o.Set("nextCas", double(s.next_cas));
    o.Set("openCount", double(s.open_count));
    o.Set("crashCount", double(s.crash_count));
    static const char* phases[] = {"mark", "sweep", "done"};
    o.Set("rebuild", phases[s.rebuild_phase]);
    o.Set("rebuildProgress", s.rebuild_phase == 0 ? double(s.mark_cursor) / double(s.nbuckets) : 1.0);
    o.Set("countExact", s.count_exact);
    o.Set("openedClean", s.opened_clean);
    o.Set("created", s.created);
    o.Set("indexBuckets", double(s.nbuckets));
    o.Set("indexOverflowBuckets", double(s.index_overflow));
    o.Set("indexSplits", double(s.index_splits));
    o.Set("indexSplitBatchMaxUs", double(s.index_split_batch_max_us));
    o.Set("evicted", double(s.evicted));
    o.Set("maxmemory", double(s.maxmemory));
    o.Set("expires", double(s.expires));
    o.Set("avgTtlMs", double(s.avg_ttl_ms));
    o.Set("granularity", store_->pool().persist().granularity() == Granularity::Page ? "page" : "cache_line");
    o.Set("header", header_object(env, store_->pool().hdr()));
    o.Set("poolInDram", store_->pool().dram_backed());
    TierStats t = reads_->stats();
    Napi::Object tier = Napi::Object::New(env);
    tier.Set("budget", double(t.budget));
    tier.Set("bytes", double(t.bytes));
    tier.Set("items", double(t.items));
    tier.Set("hits", double(t.hits));
    tier.Set("misses", double(t.misses));
    tier.Set("admitted", double(t.admitted));
    tier.Set("rejected", double(t.rejected));
    tier.Set("evicted", double(t.evicted));
    o.Set("tier", tier);
    return o;
  }

  // setTier(budgetBytes: 0 = off), setReadDelay(ns: test-only pool read latency)
  Napi::Value SetTier(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber()) return throw_type(env, "setTier(budgetBytes)");
    reads_->set_budget(uint64_t(std::max(0.0, info[0].As<Napi::Number>().DoubleValue())));
    return env.Undefined();
  }
  // setNoTouch(on): lookups leave the eviction clocks alone while on.
  Napi::Value SetNoTouch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    store_->set_no_touch(flag(info[0]));
    return env.Undefined();
  }
  // keyInfo(key) -> [type, flags, count] or null (TYPE, OBJECT ENCODING).
  Napi::Value KeyInfoJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "keyInfo(key)");
    Bytes k = bytes_of(info[0]);
    KeyInfo ki;
    if (!store_->key_info(k.p, k.n, ki)) return env.Null();
    Napi::Array a = Napi::Array::New(env, 3);
    a.Set(0u, double(ki.type));
    a.Set(1u, double(ki.flags));
    a.Set(2u, double(ki.count));
    return a;
  }

  // The map calls take (kind, key, ...) and answer a status as a negative number.
  bool map_args(const Napi::CallbackInfo& info, int nbytes, uint8_t& kind, Bytes& k) {
    if (!info[0].IsNumber() || !is_bytes(info[1])) return false;
    for (int i = 2; i < 2 + nbytes; i++)
      if (!is_bytes(info[i])) return false;
    kind = uint8_t(info[0].As<Napi::Number>().Uint32Value());
    k = bytes_of(info[1]);
    return kind >= KIND_HASH && kind <= KIND_ZSET;
  }
  static Napi::Value status(Napi::Env env, St st) { return Napi::Number::New(env, -double(int(st))); }

  // mapGet(kind, key, field) -> Buffer, null (absent), or -status
  Napi::Value MapGet(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    if (!map_args(info, 1, kind, k)) return throw_type(env, "mapGet(kind, key, field)");
    Bytes f = bytes_of(info[2]);
    Slice v;
    St st = store_->map_get(k.p, k.n, kind, f.p, f.n, &v);
    if (st == St::NotFound) return env.Null();
    if (st != St::Ok) return status(env, st);
    return Napi::Buffer<uint8_t>::Copy(env, v.p, v.n);
  }

  // mapLookup(kind, key, field) -> the value's length (copyFound() copies it), -1 when the field
  // or key is absent, or -status: HGET's value goes to the reply without a Buffer of its own.
  Napi::Value MapLookup(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    if (!map_args(info, 1, kind, k)) return throw_type(env, "mapLookup(kind, key, field)");
    Bytes f = bytes_of(info[2]);
    Slice v;
    St st = store_->map_get(k.p, k.n, kind, f.p, f.n, &v);
    if (st != St::Ok) return status(env, st);  // NotFound is -1
    found(v.p, v.n);
    return Napi::Number::New(env, double(v.n));
  }

  // mapPut(kind, key, [f1, v1, ...], nx) -> fields added, or -status
  Napi::Value MapPut(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    std::vector<Slice> fv;
    if (!map_args(info, 0, kind, k) || !slices(info[2], fv) || fv.size() % 2) return throw_type(env, "mapPut(kind, key, fieldsAndValues, nx, replace)");
    uint64_t added = 0;
    St st = store_->map_put(k.p, k.n, kind, fv, flag(info[3]), &added, flag(info[4]));
    return st == St::Ok ? Napi::Number::New(env, double(added)) : status(env, st);
  }

  // mapDel(kind, key, [fields]) -> fields removed, or -status
  Napi::Value MapDel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    std::vector<Slice> fs;
    if (!map_args(info, 0, kind, k) || !slices(info[2], fs)) return throw_type(env, "mapDel(kind, key, fields)");
    uint64_t removed = 0;
    St st = store_->map_del(k.p, k.n, kind, fs, &removed);
    return st == St::Ok ? Napi::Number::New(env, double(removed)) : status(env, st);
  }

  // mapLen(kind, key) -> elements (0 when absent), or -status
  Napi::Value MapLen(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    if (!map_args(info, 0, kind, k)) return throw_type(env, "mapLen(kind, key)");
    uint64_t n = 0;
    St st = store_->map_len(k.p, k.n, kind, &n);
    return st == St::Ok ? Napi::Number::New(env, double(n)) : status(env, st);
  }

  static Napi::Array entries_array(Napi::Env env, const std::vector<MapEntry>& es, uint32_t first, bool values) {
    Napi::Array a = Napi::Array::New(env, first + es.size() * (values ? 2 : 1));
    uint32_t j = first;
    for (auto& e : es) {
      a.Set(j++, Napi::Buffer<uint8_t>::Copy(env, e.f.p, e.f.n));
      if (values) a.Set(j++, Napi::Buffer<uint8_t>::Copy(env, e.v.p, e.v.n));
    }
    return a;
  }

  // mapScan(kind, key, cursor, count, values) -> [next, f1, v1, ...] (fields only without values), or -status
  Napi::Value MapScan(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    if (!map_args(info, 0, kind, k) || !info[2].IsNumber() || !info[3].IsNumber()) return throw_type(env, "mapScan(kind, key, cursor, count, values)");
    std::vector<MapEntry> es;
    uint64_t next = 0;
    St st = store_->map_scan(k.p, k.n, kind, uint64_t(info[2].As<Napi::Number>().DoubleValue()),
                             uint64_t(std::max(1.0, info[3].As<Napi::Number>().DoubleValue())), es, &next);
    if (st != St::Ok) return status(env, st);
    Napi::Array a = entries_array(env, es, 1, flag(info[4]));
    a.Set(0u, double(next));
    return a;
  }

  // mapRandom(kind, key) -> [field, value], null (absent), or -status
  Napi::Value MapRandom(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    uint8_t kind;
    Bytes k;
    if (!map_args(info, 0, kind, k)) return throw_type(env, "mapRandom(kind, key)");
    MapEntry e;
    St st = store_->map_random(k.p, k.n, kind, &e);
    if (st == St::NotFound) return env.Null();
    if (st != St::Ok) return status(env, st);
    return entries_array(env, {e}, 0, true);
  }

  // zsetSpan(key, byLex, min, max, minEx, maxEx) -> [start, end] ranks, or -status. By score min/max
  // are numbers; by lex they are Buffers, or -1 / +1 for "-" / "+".
  Napi::Value ZsetSpan(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "zsetSpan(key, byLex, min, max, minEx, maxEx)");
    Bytes k = bytes_of(info[0]);
    ZSpec spec;
    spec.lex = flag(info[1]);
    spec.minex = flag(info[4]);
    spec.maxex = flag(info[5]);
    auto bound = [&](const Napi::Value& v, double& d, Slice& sl, int& inf) {
      if (!spec.lex) {
        if (!v.IsNumber()) return false;
        d = v.As<Napi::Number>().DoubleValue();
      } else if (v.IsNumber()) {
        inf = v.As<Napi::Number>().Int32Value() < 0 ? -1 : 1;
      } else {
        if (!is_bytes(v)) return false;
        Bytes b = bytes_of(v);
        sl = {b.p, b.n};
      }
      return true;
    };
    if (!bound(info[2], spec.min, spec.lmin, spec.lmin_inf) || !bound(info[3], spec.max, spec.lmax, spec.lmax_inf))
      return throw_type(env, "zsetSpan(key, byLex, min, max, minEx, maxEx)");
    uint64_t a = 0, b = 0;
    St st = store_->zset_span(k.p, k.n, spec, &a, &b);
    if (st != St::Ok) return status(env, st);
    Napi::Array r = Napi::Array::New(env, 2);
    r.Set(0u, double(a));
    r.Set(1u, double(b));
    return r;
  }

  // zsetSlice(key, start, end) -> [m1, s1, m2, s2, ...] of ranks [start, end) ascending (scores as
  // 8-byte Buffers), or -status
  Napi::Value ZsetSlice(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !info[2].IsNumber()) return throw_type(env, "zsetSlice(key, start, end)");
    Bytes k = bytes_of(info[0]);
    std::vector<MapEntry> es;
    St st = store_->zset_slice(k.p, k.n, uint64_t(info[1].As<Napi::Number>().DoubleValue()),
                               uint64_t(info[2].As<Napi::Number>().DoubleValue()), es);
    if (st != St::Ok) return status(env, st);
    return entries_array(env, es, 0, true);
  }

  // zsetRank(key, member) -> rank, null (absent), or -status
  Napi::Value ZsetRank(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1])) return throw_type(env, "zsetRank(key, member)");
    Bytes k = bytes_of(info[0]), m = bytes_of(info[1]);
    uint64_t rank = 0;
    St st = store_->zset_rank(k.p, k.n, m.p, m.n, &rank);
    if (st == St::NotFound) return env.Null();
    if (st != St::Ok) return status(env, st);
    return Napi::Number::New(env, double(rank));
  }

  // setZsetOrderBudget(bytes)
  Napi::Value SetZsetOrderBudget(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber()) return throw_type(env, "setZsetOrderBudget(bytes)");
    store_->set_zset_order_budget(uint64_t(info[0].As<Napi::Number>().DoubleValue()));
    return env.Undefined();
  }

  // zsetOrderCheck() -> null, or the first problem found in the DRAM order trees
  Napi::Value ZsetOrderCheck(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    std::string why;
    if (store_->zset_order_check(&why)) return env.Null();
    return Napi::String::New(env, why);
  }

  // ---- Lists: (key, ...) -> a result, or a status as a negative number.
  // A JS number as Redis's int64 index (clamped: past 2^53 the exact value cannot matter).
  static int64_t i64(const Napi::Value& v) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d > -9.2e18)) return INT64_MIN;
    if (d > 9.2e18) return INT64_MAX;
    return int64_t(d);
  }
  // [data, lengths]: the slices' bytes back to back in one Buffer and their lengths in a
  // Uint32Array, so a reply of many elements costs two allocations, not one Buffer each.
  static Napi::Array packed(Napi::Env env, const std::vector<Slice>& vs) {
    uint64_t total = 0;
    for (const Slice& v : vs) total += v.n;
    Napi::Buffer<uint8_t> data = Napi::Buffer<uint8_t>::New(env, total);
    Napi::Uint32Array lens = Napi::Uint32Array::New(env, vs.size());
    uint8_t* d = data.Data();
    for (size_t i = 0; i < vs.size(); i++) {
      if (vs[i].n) memcpy(d, vs[i].p, vs[i].n);
      d += vs[i].n;
      lens[i] = uint32_t(vs[i].n);
    }
    Napi::Array a = Napi::Array::New(env, 2);
    a.Set(0u, data);
    a.Set(1u, lens);
    return a;
  }

  static Napi::Array buffers(Napi::Env env, const std::vector<Slice>& vs) {
    Napi::Array a = Napi::Array::New(env, vs.size());
    for (uint32_t i = 0; i < vs.size(); i++) a.Set(i, Napi::Buffer<uint8_t>::Copy(env, vs[i].p, vs[i].n));
    return a;
  }

  // listPush(key, left, [values], xx) -> length after (0: absent with xx)
  Napi::Value ListPush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    std::vector<Slice> vs;
    if (!is_bytes(info[0]) || !slices(info[2], vs)) return throw_type(env, "listPush(key, left, values, xx, replace)");
    Bytes k = bytes_of(info[0]);
    uint64_t len = 0;
    St st = store_->list_push(k.p, k.n, flag(info[1]), vs, flag(info[3]), &len, flag(info[4]));
    return st == St::Ok ? Napi::Number::New(env, double(len)) : status(env, st);
  }

  // listPop(key, left, count) -> [values] in pop order, null (absent)
  Napi::Value ListPop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[2].IsNumber()) return throw_type(env, "listPop(key, left, count)");
    Bytes k = bytes_of(info[0]);
    std::vector<std::string> out;
    St st = store_->list_pop(k.p, k.n, flag(info[1]), uint64_t(std::max(0.0, info[2].As<Napi::Number>().DoubleValue())), out);
    if (st == St::NotFound) return env.Null();
    if (st != St::Ok) return status(env, st);
    Napi::Array a = Napi::Array::New(env, out.size());
    for (uint32_t i = 0; i < out.size(); i++)
      a.Set(i, Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(out[i].data()), out[i].size()));
    return a;
  }

  // listPopOne(key, left) -> the popped value's length (copyFound() copies it), -1 when the key is
  // absent, or -status: LPOP/RPOP without a count, with no Buffer and no array per reply.
  Napi::Value ListPopOne(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "listPopOne(key, left)");
    Bytes k = bytes_of(info[0]);
    std::vector<std::string> out;
    St st = store_->list_pop(k.p, k.n, flag(info[1]), 1, out);
    if (st != St::Ok) return status(env, st);
    if (out.empty()) return Napi::Number::New(env, -1);
    popped_ = std::move(out[0]);
    found(reinterpret_cast<const uint8_t*>(popped_.data()), popped_.size());
    return Napi::Number::New(env, double(popped_.size()));
  }

  // listLen(key) -> length (0 when absent)
  Napi::Value ListLen(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "listLen(key)");
    Bytes k = bytes_of(info[0]);
    uint64_t n = 0;
    St st = store_->map_len(k.p, k.n, KIND_LIST, &n);
    return st == St::Ok ? Napi::Number::New(env, double(n)) : status(env, st);
  }

  // listRange(key, start, stop) -> [values]
  Napi::Value ListRange(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !info[2].IsNumber()) return throw_type(env, "listRange(key, start, stop, packed)");
    Bytes k = bytes_of(info[0]);
    std::vector<Slice> out;
    St st = store_->list_range(k.p, k.n, i64(info[1]), i64(info[2]), out);
    if (st != St::Ok) return status(env, st);
    return flag(info[3]) ? packed(env, out) : buffers(env, out);
  }

  // listIndex(key, index) -> value, null (absent or out of range)
  Napi::Value ListIndex(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber()) return throw_type(env, "listIndex(key, index)");
    Bytes k = bytes_of(info[0]);
    Slice v;
    St st = store_->list_index(k.p, k.n, i64(info[1]), &v);
    if (st == St::NotFound) return env.Null();
    if (st != St::Ok) return status(env, st);
    return Napi::Buffer<uint8_t>::Copy(env, v.p, v.n);
  }

  // listSet(key, index, value) -> 0, or -status (NotFound: no key; OutOfRange)
  Napi::Value ListSet(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !is_bytes(info[2])) return throw_type(env, "listSet(key, index, value)");
    Bytes k = bytes_of(info[0]), v = bytes_of(info[2]);
    St st = store_->list_set(k.p, k.n, i64(info[1]), v.p, v.n);
    return st == St::Ok ? Napi::Number::New(env, 0) : status(env, st);
  }

  // listTrim(key, start, stop) -> 0
  Napi::Value ListTrim(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !info[2].IsNumber()) return throw_type(env, "listTrim(key, start, stop)");
    Bytes k = bytes_of(info[0]);
    St st = store_->list_trim(k.p, k.n, i64(info[1]), i64(info[2]));
    return st == St::Ok ? Napi::Number::New(env, 0) : status(env, st);
  }

  // listInsert(key, before, pivot, value) -> length after, -1 (no pivot), 0 (absent); or [status]
  Napi::Value ListInsert(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[2]) || !is_bytes(info[3])) return throw_type(env, "listInsert(key, before, pivot, value)");
    Bytes k = bytes_of(info[0]), p = bytes_of(info[2]), v = bytes_of(info[3]);
    int64_t len = 0;
    St st = store_->list_insert(k.p, k.n, flag(info[1]), p.p, p.n, v.p, v.n, &len);
    if (st != St::Ok) {
      Napi::Array a = Napi::Array::New(env, 1);
      a.Set(0u, double(int(st)));
      return a;
    }
    return Napi::Number::New(env, double(len));
  }

  // listRem(key, count, value) -> removed
  Napi::Value ListRem(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !is_bytes(info[2])) return throw_type(env, "listRem(key, count, value)");
    Bytes k = bytes_of(info[0]), v = bytes_of(info[2]);
    uint64_t removed = 0;
    St st = store_->list_rem(k.p, k.n, i64(info[1]), v.p, v.n, &removed);
    return st == St::Ok ? Napi::Number::New(env, double(removed)) : status(env, st);
  }

  // listPos(key, value, rank, count, maxlen) -> [indexes]
  Napi::Value ListPos(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1]) || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsNumber())
      return throw_type(env, "listPos(key, value, rank, count, maxlen)");
    Bytes k = bytes_of(info[0]), v = bytes_of(info[1]);
    std::vector<uint64_t> out;
    St st = store_->list_pos(k.p, k.n, v.p, v.n, i64(info[2]), uint64_t(std::max<int64_t>(0, i64(info[3]))),
                             uint64_t(std::max<int64_t>(0, i64(info[4]))), out);
    if (st != St::Ok) return status(env, st);
    Napi::Array a = Napi::Array::New(env, out.size());
    for (uint32_t i = 0; i < out.size(); i++) a.Set(i, double(out[i]));
    return a;
  }

  // listMove(src, dst, fromLeft, toLeft) -> the value moved, null (src absent)
  Napi::Value ListMove(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !is_bytes(info[1])) return throw_type(env, "listMove(src, dst, fromLeft, toLeft)");
    Bytes s = bytes_of(info[0]), d = bytes_of(info[1]);
    std::string v;
    St st = store_->list_move(s.p, s.n, d.p, d.n, flag(info[2]), flag(info[3]), &v);
    if (st == St::NotFound) return env.Null();
    if (st != St::Ok) return status(env, st);
    return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(v.data()), v.size());
  }

  // setMapLimits(kind, entries, value, intEntries)
  Napi::Value SetMapLimits(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    MapLimits l;
    l.entries = uint64_t(info[1].As<Napi::Number>().DoubleValue());
    l.value = uint64_t(info[2].As<Napi::Number>().DoubleValue());
    l.int_entries = uint64_t(info[3].As<Napi::Number>().DoubleValue());
    store_->set_map_limits(uint8_t(info[0].As<Napi::Number>().Uint32Value()), l);
    return env.Undefined();
  }

  // setListFill(fill): list-max-listpack-size
  Napi::Value SetListFill(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber()) return throw_type(env, "setListFill(fill)");
    store_->set_list_fill(info[0].As<Napi::Number>().Int64Value());
    return env.Undefined();
  }

  // preallocate(bytes) -> Promise<void>: the pool file's blocks from its end up to bytes, on a
  // worker thread (Pool::allocate, on a descriptor of its own so a close meanwhile cannot hand the
  // number to another file). Rejects with the errno's text.
  Napi::Value Preallocate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber()) return throw_type(env, "preallocate(bytes)");
    struct Worker : Napi::AsyncWorker {
      Worker(Napi::Env env, int fd, uint64_t from, uint64_t to)
          : Napi::AsyncWorker(env), fd(fd), from(from), to(to), deferred(Napi::Promise::Deferred::New(env)) {}
      ~Worker() override {
        if (fd >= 0) close(fd);
      }
      void Execute() override {
        if (fd < 0) return SetError("the pool is open read-only");
        int e = to > from ? Pool::allocate(fd, from, to) : 0;
        if (e) SetError(std::string("cannot allocate pool space: ") + strerror(e));
      }
      void OnOK() override { deferred.Resolve(Env().Undefined()); }
      void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }
      int fd;
      uint64_t from, to;
      Napi::Promise::Deferred deferred;
    };
    auto* w = new Worker(env, store_->pool_fd(), store_->pool_size(), uint64_t(info[0].As<Napi::Number>().Int64Value()));
    Napi::Promise p = w->deferred.Promise();
    w->Queue();
    return p;
  }

  // grow(bytes): pool growth (Store::grow); throws with the PoolError's code
  Napi::Value Grow(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber()) return throw_type(env, "grow(bytes)");
    try {
      store_->grow(uint64_t(info[0].As<Napi::Number>().Int64Value()));
    } catch (const PoolError& e) {
      return throw_pool(env, e);
    }
    return env.Undefined();
  }

  Napi::Value SetReadDelay(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber()) return throw_type(env, "setReadDelay(ns)");
    store_->set_read_delay_ns(info[0].As<Napi::Number>().Uint32Value());
    return env.Undefined();
  }

  // setLimits(policy: 0..7 (EvictPolicy), maxmemory: bytes, 0 = whole pool)
  Napi::Value SetLimits(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!info[0].IsNumber() || !info[1].IsNumber()) return throw_type(env, "setLimits(policy, maxmemory)");
    int p = info[0].As<Napi::Number>().Int32Value();
    if (p < 0 || p > 7) return throw_type(env, "policy must be 0..7");
    store_->set_limits(EvictPolicy(p), uint64_t(info[1].As<Napi::Number>().DoubleValue()));
    return env.Undefined();
  }

  // accessInfo(key) -> [idleSeconds, lfuFrequency] | null
  Napi::Value AccessInfoJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0])) return throw_type(env, "accessInfo(key)");
    Bytes k = bytes_of(info[0]);
    AccessInfo ai;
    if (!store_->access_info(k.p, k.n, ai)) return env.Null();
    Napi::Array a = Napi::Array::New(env, 2);
    a.Set(0u, Napi::Number::New(env, double(ai.idle_s)));
    a.Set(1u, Napi::Number::New(env, double(ai.freq)));
    return a;
  }

  // setAccessHint(key, idleSeconds, lfuFrequency): boolean (negative = not given)
  Napi::Value SetAccessHintJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    if (!is_bytes(info[0]) || !info[1].IsNumber() || !info[2].IsNumber()) return throw_type(env, "setAccessHint(key, idle, freq)");
    Bytes k = bytes_of(info[0]);
    double idle = info[1].As<Napi::Number>().DoubleValue();
    double freq = info[2].As<Napi::Number>().DoubleValue();
    return Napi::Boolean::New(env, store_->set_access_hint(k.p, k.n, idle < 0 ? -1 : int64_t(std::min(idle, 1e15)),
                                                          freq < 0 ? -1 : int(std::min(freq, 255.0))));
  }

  Napi::Value ClassStatsJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready(env)) return env.Undefined();
    auto cs = store_->class_stats();
    Napi::Array arr = Napi::Array::New(env, cs.size());
    for (size_t i = 0; i < cs.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("chunkSize", double(cs[i].chunk_size));
      o.Set("perPage", double(cs[i].per_page));
      o.Set("pages", double(cs[i].pages));
      o.Set("usedChunks", double(cs[i].used_chunks));
      const ClassRemovals& r = cs[i].removed;
      o.Set("evicted", double(r.evicted));
      o.Set("evictedNonzero", double(r.evicted_nonzero));
      o.Set("evictedTime", double(r.evicted_time));
      o.Set("reclaimed", double(r.reclaimed));
      o.Set("crawlerReclaimed", double(r.crawler_reclaimed));
      o.Set("crawlerItemsChecked", double(r.crawler_items_checked));
      arr.Set(uint32_t(i), o);
    }
    return arr;
  }
};

Napi::Value CheckPool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return throw_type(env, "checkPool(path: string)");
  try {
    CheckReport r = check_pool(info[0].As<Napi::String>());
    Napi::Object o = Napi::Object::New(env);
    o.Set("items", double(r.items));
    o.Set("itemBytes", double(r.item_bytes));
    o.Set("staleItems", double(r.stale_items));
    o.Set("expiredItems", double(r.expired_items));
    o.Set("largeItems", double(r.large_items));
    o.Set("overflowBuckets", double(r.overflow_buckets));
    o.Set("collections", double(r.collections));
    o.Set("elements", double(r.elements));
    o.Set("maxChain", double(r.max_chain));
    o.Set("buckets", double(r.buckets));
    o.Set("logPending", double(r.log_pending));
    o.Set("pagesSlab", double(r.pages_slab));
    o.Set("pagesLarge", double(r.pages_large));
    o.Set("pagesFree", double(r.pages_free));
    Napi::Array classes = Napi::Array::New(env);
    for (size_t i = 0; i < r.class_size.size(); i++) {
      if (!r.class_items[i]) continue;
      Napi::Object c = Napi::Object::New(env);
      c.Set("chunkSize", double(r.class_size[i]));
      c.Set("items", double(r.class_items[i]));
      classes.Set(classes.Length(), c);
    }
    o.Set("classes", classes);
    o.Set("problems", double(r.problems));
    Napi::Array msgs = Napi::Array::New(env, r.messages.size());
    for (size_t i = 0; i < r.messages.size(); i++) msgs.Set(uint32_t(i), r.messages[i]);
    o.Set("messages", msgs);
    return o;
  } catch (const PoolError& e) {
    return throw_pool(env, e);
  }
}

Napi::Value PoolInfoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return throw_type(env, "poolInfo(path: string)");
  try {
    PoolInfo pi = pool_info(info[0].As<Napi::String>());
    Napi::Object o = header_object(env, pi.hdr);
    o.Set("cleanShutdown", pi.dyn.clean_shutdown == 1);
    o.Set("itemsAtClose", pi.dyn.items_at_close == UINT64_MAX ? -1.0 : double(pi.dyn.items_at_close));
    o.Set("itemsHint", double(pi.dyn.items_hint));
    o.Set("openCount", double(pi.dyn.open_count));
    o.Set("crashCount", double(pi.dyn.crash_count));
    o.Set("flushEpoch", double(pi.dyn.flush_epoch));
    o.Set("pagesSlab", double(pi.pages_slab));
    o.Set("pagesLarge", double(pi.pages_large));
    o.Set("pagesFree", double(pi.pages_free));
    o.Set("logPending", double(pi.log_pending));
    return o;
  } catch (const PoolError& e) {
    return throw_pool(env, e);
  }
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeStore", NativeStore::Init(env));
  exports.Set("checkPool", Napi::Function::New(env, CheckPool));
  exports.Set("poolInfo", Napi::Function::New(env, PoolInfoJs));
  exports.Set("Poller", InitPoller(env));
  exports.Set("layoutVersion", Napi::Number::New(env, LAYOUT_VERSION));
  exports.Set("logOpMargin", Napi::Number::New(env, double(LOG_OP_MARGIN)));
  return exports;
}

}  // namespace

NODE_API_MODULE(daxcache_native, InitModule)
