// Decoding a list node's entries (list.h has the layout).
#include "list.h"

namespace dax {

namespace {

// A forward varint at p, within [p, end); 0 when it runs past end or is too long.
uint64_t read_varint(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  uint64_t x = 0;
  for (uint64_t i = 0; i < 10 && p + i < end; i++) {
    x |= uint64_t(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      *v = x;
      return i + 1;
    }
  }
  return 0;
}

// The reversed varint ending at end, within [begin, end).
uint64_t read_backlen(const uint8_t* begin, const uint8_t* end, uint64_t* v) {
  uint64_t x = 0;
  for (uint64_t i = 0; i < 10 && end - i > begin; i++) {
    uint8_t b = *(end - 1 - i);
    x |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *v = x;
      return i + 1;
    }
  }
  return 0;
}

bool bounds_ok(const ListNode& nd) { return nd.lo <= nd.hi && nd.hi <= nd.cap; }

}  // namespace

bool node_decode(const ListNode& nd, const uint8_t* payload, std::vector<ListEntry>& out) {
  out.clear();
  if (!bounds_ok(nd)) return false;
  const uint8_t* p = payload + nd.lo;
  const uint8_t* end = payload + nd.hi;
  while (p < end) {
    uint64_t n, back;
    uint64_t l = read_varint(p, end, &n);
    if (!l || n > uint64_t(end - p) - l) return false;
    const uint8_t* data = p + l;
    // The back-length follows the bytes: the same l varint bytes, reversed; read it backwards
    // from its own end, which must lie within [lo, hi).
    if (uint64_t(end - (data + n)) < l) return false;
    const uint8_t* entry_end = data + n + l;
    uint64_t bl = read_backlen(data + n, entry_end, &back);
    if (bl != l || back != n) return false;
    out.push_back({uint32_t(p - payload), data, n});
    p = entry_end;
    if (out.size() > nd.count) return false;
  }
  return out.size() == nd.count;
}

bool node_entries(const ListNode& nd, const uint8_t* payload, uint64_t skip, uint64_t take, std::vector<ListEntry>& out) {
  if (!bounds_ok(nd)) return false;
  const uint8_t* p = payload + nd.lo;
  const uint8_t* end = payload + nd.hi;
  for (uint64_t i = 0; p < end && i < skip + take && i < nd.count; i++) {
    uint64_t n;
    uint64_t l = read_varint(p, end, &n);
    if (!l || n > uint64_t(end - p) - l || uint64_t(end - p) - l - n < l) return false;
    if (i >= skip) out.push_back({uint32_t(p - payload), p + l, n});
    p += l + n + l;
  }
  return true;
}

bool node_first(const ListNode& nd, const uint8_t* payload, ListEntry* out) {
  if (!bounds_ok(nd) || nd.lo == nd.hi) return false;
  const uint8_t* p = payload + nd.lo;
  const uint8_t* end = payload + nd.hi;
  uint64_t n;
  uint64_t l = read_varint(p, end, &n);
  if (!l || n > uint64_t(end - p) - l || uint64_t(end - p) - l - n < l) return false;
  *out = {nd.lo, p + l, n};
  return true;
}

bool node_last(const ListNode& nd, const uint8_t* payload, ListEntry* out) {
  if (!bounds_ok(nd) || nd.lo == nd.hi) return false;
  const uint8_t* begin = payload + nd.lo;
  const uint8_t* end = payload + nd.hi;
  uint64_t n;
  uint64_t l = read_backlen(begin, end, &n);
  if (!l || n + 2 * l > uint64_t(end - begin)) return false;
  const uint8_t* start = end - l - n - l;
  *out = {uint32_t(start - payload), start + l, n};
  return true;
}

}  // namespace dax
