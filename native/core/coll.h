// Collections in the pool (hashes, sets, sorted sets): how an item says what it holds, the packed
// encoding of a small collection, and the persistent structure of a large one (docs/collections.md).
//
// A key's item is a string, a PACKED collection (every element in its value, rewritten copy-on-
// write like a string: bounded by the *-max-listpack-* settings) or a large collection's ROOT: a
// small immutable item whose value names a CollHeader. The header is one cache line of its own
// chunk, changed in place through the intent log (count, buckets, directory) in the same step as
// the slots it counts. The elements are ELEMENT items (key = field, value = the hash value, empty
// for a set, the 8-byte score for a sorted set), reached from a per-collection linear hash: a
// directory of segments of SEG_BUCKETS main-index-style buckets (7 slots + overflow link), grown one
// bucket at a time (Litwin's linear hashing), so an insert moves at most one bucket's slots and a
// cursor over bucket numbers stays valid as the table grows (a split moves slots only upwards).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "layout.h"

namespace dax {

enum ItemKind : uint8_t { KIND_STRING = 0, KIND_HASH = 1, KIND_SET = 2, KIND_ZSET = 3, KIND_LIST = 4 };
constexpr uint8_t ENC_PACKED = 0x00, ENC_ROOT = 0x10, ENC_ELEMENT = 0x20;
inline uint8_t item_kind(uint8_t type) { return type & 0x0f; }
inline uint8_t item_enc(uint8_t type) { return type & 0xf0; }
inline bool is_root(uint8_t type) { return item_kind(type) != KIND_STRING && item_enc(type) == ENC_ROOT; }

// A large collection's mutable state: one cache line, in a 64-byte chunk of its own (so staging
// its line never carries another chunk's bytes).
constexpr uint32_t COLL_MAGIC = 0x4c4c4f43;  // "COLL"
struct alignas(64) CollHeader {
  uint32_t magic;
  uint8_t kind;
  uint8_t pad0[3];
  uint64_t count;     // elements
  uint64_t nbuckets;  // buckets in use, >= MAP_MIN_BUCKETS
  uint64_t dir;       // chunk holding the directory (segment chunk offsets), line-aligned inside it
  uint64_t dir_cap;   // segments the directory has room for
  uint64_t pad[3];
};
static_assert(sizeof(CollHeader) == 64, "collection header is one cache line");

// A root item's value.
struct CollRoot {
  uint64_t header;    // offset of the CollHeader chunk
  uint64_t reserved;  // 0
};

constexpr uint64_t SEG_BUCKETS = 64;       // buckets per segment (4 KiB)
constexpr uint64_t MAP_MIN_BUCKETS = 32;   // a new large collection's table
constexpr uint64_t MAP_LOAD = 5;           // elements per bucket before the table grows a bucket
constexpr uint64_t DIR_MIN_CAP = 8;

// Bytes to allocate for `bytes` of line-aligned data (chunks of most classes are not line-aligned).
inline uint64_t aligned_alloc_size(uint64_t bytes) { return bytes + CACHE_LINE; }

// Linear hashing: the bucket of `hash` in a table of n buckets (n >= 1).
inline uint64_t map_bucket_no(uint64_t hash, uint64_t n) {
  uint64_t base = 1ull << (63 - __builtin_clzll(n));
  uint64_t b = hash & (2 * base - 1);
  return b < n ? b : hash & (base - 1);
}

// ---- The packed encoding: [u32 count][u8 flags][3 pad] then per entry varint flen, field, varint
// vlen, value; insertion order (a listpack's), or ascending integers with PACK_INTS (an intset's).
constexpr uint8_t PACK_INTS = 1;  // a set of integers kept in numeric order (reported as intset)
constexpr uint64_t PACK_HEADER = 8;

struct PackedEntry {
  const uint8_t* f;
  uint64_t fl;
  const uint8_t* v;
  uint64_t vl;
};

struct Packed {
  uint8_t flags = 0;
  std::vector<PackedEntry> entries;
};

// Calls on(entry) for each entry of a packed value, in order, until it answers false; false when
// the value is malformed (a bad length must never read past the value).
bool packed_each(const uint8_t* p, uint64_t n, uint8_t* flags, bool (*on)(const PackedEntry&, void*), void* ctx);
// Decodes a packed value into entries; false when it is malformed.
bool unpack(const uint8_t* p, uint64_t n, Packed& out);
// The entry of field f, without decoding the others into memory (HGET, SISMEMBER).
bool packed_find(const uint8_t* p, uint64_t n, const uint8_t* f, uint64_t fl, PackedEntry* out);
// Encoded size and encoding of a list of entries.
uint64_t packed_size(const std::vector<PackedEntry>& e);
void pack_into(uint8_t* dst, uint8_t flags, const std::vector<PackedEntry>& e);

// Redis's string2ll: an integer member as an intset would hold it (canonical decimal, int64).
bool canonical_int(const uint8_t* p, uint64_t n, int64_t* out);

}  // namespace dax
