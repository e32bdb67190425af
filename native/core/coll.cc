#include "coll.h"

namespace dax {

namespace {

uint64_t varint_size(uint64_t v) {
  uint64_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v | 0x80);
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

bool get_varint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return false;
    uint8_t b = *p++;
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

}  // namespace

bool packed_each(const uint8_t* p, uint64_t n, uint8_t* flags, bool (*on)(const PackedEntry&, void*), void* ctx) {
  if (n < PACK_HEADER) return false;
  uint32_t count;
  memcpy(&count, p, 4);
  if (flags) *flags = p[4];
  const uint8_t* q = p + PACK_HEADER;
  const uint8_t* end = p + n;
  for (uint32_t i = 0; i < count; i++) {
    PackedEntry e;
    if (!get_varint(q, end, e.fl) || e.fl > uint64_t(end - q)) return false;
    e.f = q;
    q += e.fl;
    if (!get_varint(q, end, e.vl) || e.vl > uint64_t(end - q)) return false;
    e.v = q;
    q += e.vl;
    if (!on(e, ctx)) return true;
  }
  return q == end;
}

bool unpack(const uint8_t* p, uint64_t n, Packed& out) {
  out.entries.clear();
  if (n >= PACK_HEADER) {
    uint32_t count;
    memcpy(&count, p, 4);
    out.entries.reserve(count);
  }
  return packed_each(p, n, &out.flags, [](const PackedEntry& e, void* c) {
    static_cast<Packed*>(c)->entries.push_back(e);
    return true;
  }, &out);
}

bool packed_find(const uint8_t* p, uint64_t n, const uint8_t* f, uint64_t fl, PackedEntry* out) {
  struct Want {
    const uint8_t* f;
    uint64_t fl;
    PackedEntry* out;
    bool found;
  } w{f, fl, out, false};
  packed_each(p, n, nullptr, [](const PackedEntry& e, void* c) {
    Want& w = *static_cast<Want*>(c);
    if (e.fl != w.fl || (e.fl && memcmp(e.f, w.f, e.fl) != 0)) return true;
    *w.out = e;
    w.found = true;
    return false;
  }, &w);
  return w.found;
}

uint64_t packed_size(const std::vector<PackedEntry>& es) {
  uint64_t n = PACK_HEADER;
  for (auto& e : es) n += varint_size(e.fl) + e.fl + varint_size(e.vl) + e.vl;
  return n;
}

void pack_into(uint8_t* dst, uint8_t flags, const std::vector<PackedEntry>& es) {
  uint32_t count = uint32_t(es.size());
  memcpy(dst, &count, 4);
  dst[4] = flags;
  dst[5] = dst[6] = dst[7] = 0;
  uint8_t* p = dst + PACK_HEADER;
  for (auto& e : es) {
    p = put_varint(p, e.fl);
    memmove(p, e.f, e.fl);
    p += e.fl;
    p = put_varint(p, e.vl);
    if (e.vl) memmove(p, e.v, e.vl);
    p += e.vl;
  }
}

bool canonical_int(const uint8_t* p, uint64_t n, int64_t* out) {
  if (n == 0 || n > 20) return false;
  uint64_t i = 0;
  bool neg = false;
  if (p[0] == '-') {
    neg = true;
    i = 1;
    if (n == 1) return false;
  }
  if (p[i] == '0') {  // "0" only: no leading zeros, no "-0"
    if (n == 1) {
      *out = 0;
      return true;
    }
    return false;
  }
  uint64_t v = 0;
  for (; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    uint64_t d = p[i] - '0';
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > uint64_t(INT64_MAX) + 1) return false;
    *out = int64_t(0 - v);
  } else {
    if (v > uint64_t(INT64_MAX)) return false;
    *out = int64_t(v);
  }
  return true;
}

}  // namespace dax
