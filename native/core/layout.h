// Persistent layout of a daxcache pool (version 1, or 2 once it has grown). Everything here is stored in the pool file, so
// every field is at a fixed offset, little-endian, and refers to other parts by OFFSET (never by
// pointer): the pool may map at another address next time.
//
//   [0, 4 KiB)             header: static part (checksummed) + dynamic 8-byte words
//   [log_off, +log_size)   intent (redo) log for multi-key atomic updates
//   [pagetab_off, ...)     page table: one 8-byte entry per slab page
//   [index_off, ...)       hash index: index_buckets cache-line buckets (power of two)
//   [slab_off, ...)        slab pages of SLAB_PAGE_SIZE bytes: chunks of a size class, or runs of
//                          pages holding one large item
// A grown pool (version 2, docs/growth.md) keeps every region above where it was and adds slab pages
// after the end it was created with. The first growth puts a page-table extension (ext_pages whole
// pages, entries for pages npages0.. on) at the start of the new space; those pages are PAGE_META.
// The static header then has a second copy at HDR_COPY_OFF: a growth writes the copy, then the
// primary, so a crash leaves one of them whole (old size or new size, never a damaged header).
#pragma once
#include <cstddef>
#include <cstdint>

namespace dax {

constexpr char POOL_MAGIC[8] = {'D', 'A', 'X', 'C', 'A', 'C', 'H', 'E'};
constexpr uint32_t LAYOUT_VERSION = 2;         // the newest this build reads and writes
constexpr uint32_t LAYOUT_VERSION_UNGROWN = 1;  // a pool that never grew keeps version 1
constexpr uint64_t HEADER_SIZE = 4096;
constexpr uint64_t SLAB_PAGE_SIZE = 1ull << 20;  // 1 MiB, like memcached's slab page
constexpr uint64_t MIN_CHUNK = 64;               // smallest class = one cache line (overflow buckets)
constexpr uint32_t GROWTH_X100 = 125;            // memcached's default growth factor 1.25
constexpr uint32_t MAX_CLASSES = 64;
constexpr uint64_t MIN_POOL_SIZE = 16ull << 20;
constexpr uint64_t CACHE_LINE = 64;
// Slab chunks start on 8 bytes; what needs whole lines (buckets) starts at the next line boundary.
inline uint64_t align_line(uint64_t off) { return (off + CACHE_LINE - 1) & ~(CACHE_LINE - 1); }

// Static header: written at creation and at each growth, covered by its CRC (version 1: up to
// created_size; version 2: all of it).
struct PoolHeaderStatic {
  char magic[8];
  uint32_t version;
  uint32_t header_size;
  uint8_t uuid[16];
  uint64_t pool_size;
  uint64_t created_ms;
  uint64_t log_off, log_size;
  uint64_t pagetab_off, npages;
  uint64_t index_off, index_buckets;
  uint64_t slab_off, slab_page_size;
  uint32_t nclasses, growth_x100;
  uint32_t class_size[MAX_CLASSES];
  // Version 2 (a pool that grew, or whose key index split); zero in version 1. pool_size and npages
  // above are then the current ones, every other region is plan_layout(created_size)'s; ext_* are
  // zero until the first growth.
  uint64_t created_size;
  uint64_t npages0;     // pages whose entries are in the primary page table
  uint64_t ext_off;     // page-table extension: entries for pages npages0 .. npages0 + ext_entries
  uint64_t ext_pages;   // slab pages the extension occupies (the first ext_pages after npages0)
  uint64_t ext_entries;
  uint64_t growths;     // how many times the pool has grown
};
constexpr uint64_t HDR_V1_SIZE = offsetof(PoolHeaderStatic, created_size);
inline uint64_t static_crc_len(uint32_t version) {
  return version == LAYOUT_VERSION_UNGROWN ? HDR_V1_SIZE : sizeof(PoolHeaderStatic);
}

// Dynamic words: each one 8 bytes, updated with a single failure-atomic store.
struct PoolHeaderDynamic {
  uint64_t clean_shutdown;   // 1 after a clean close, 0 while open
  uint64_t items_at_close;   // exact key count, valid when clean_shutdown == 1
  uint64_t cas_reserved;     // every CAS ever handed out is below this
  uint64_t flush_epoch;      // items with epoch < flush_epoch were flushed (FLUSHALL)
  uint64_t open_count;
  uint64_t crash_count;      // opens that found clean_shutdown == 0
  uint64_t items_hint;       // key count as of the last barrier (a starting point after a crash)
};

constexpr uint64_t HDR_CRC_OFF = 1024;  // uint32 CRC32C of PoolHeaderStatic (its static_crc_len)
constexpr uint64_t HDR_DYN_OFF = 2048;  // PoolHeaderDynamic, own cache lines
constexpr uint64_t HDR_COPY_OFF = 3072;  // version 2: a copy of PoolHeaderStatic ...
constexpr uint64_t HDR_COPY_CRC_OFF = 4092;  // ... and its CRC
static_assert(sizeof(PoolHeaderStatic) <= HDR_CRC_OFF, "static header too large");
static_assert(sizeof(PoolHeaderStatic) <= HDR_COPY_CRC_OFF - HDR_COPY_OFF, "static header copy too large");
constexpr uint64_t ENTRIES_PER_PAGE = SLAB_PAGE_SIZE / 8;  // page-table entries in one extension page

// Version 2 also marks a pool whose key index has split (linear hashing, index.h); ext_pages is 0
// until its first growth.
inline bool has_extension(const PoolHeaderStatic& h) { return h.version == LAYOUT_VERSION && h.ext_pages > 0; }
// Page p holds the page-table extension itself (PAGE_META).
inline bool is_extension_page(const PoolHeaderStatic& h, uint64_t p) {
  return has_extension(h) && p >= h.npages0 && p < h.npages0 + h.ext_pages;
}

// The key index's growth (version 2): Litwin's linear hashing over the index_buckets home buckets
// made at creation (n0) plus segments of INDEX_SEG_BUCKETS buckets in slab chunks, listed in a directory
// chunk. Buckets: n0 << level, plus `split` more; the home of hash h is h mod (n0 << level), or
// h mod (n0 << (level + 1)) when that is below `split`. One cache line in the header page, changed
// only through the redo log together with the bucket images of the splits it counts. All zero:
// never split.
struct alignas(64) IndexMeta {
  uint64_t level;
  uint64_t split;
  uint64_t dir_off;  // directory chunk: INDEX_MAX_SEGMENTS segment offsets
  uint64_t nsegs;
  uint64_t pad[4];
};
static_assert(sizeof(IndexMeta) == 64, "index meta is one cache line");
constexpr uint64_t IDX_META_OFF = 2560;  // in the header page, after the dynamic words
constexpr uint64_t INDEX_SEG_BUCKETS = 4096;   // 256 KiB per segment: a slab chunk, zeroed in ~1 ms
constexpr uint64_t INDEX_MAX_SEGMENTS = 16384; // 67M buckets past n0; the directory is a 128 KiB chunk
static_assert(HDR_DYN_OFF + sizeof(PoolHeaderDynamic) <= IDX_META_OFF && IDX_META_OFF + 64 <= HDR_COPY_OFF, "index meta place");

// Page table entry: kind in bits 0..7, class in bits 8..15, run length (pages) in bits 32..63.
// PAGE_META: a page holding the page-table extension itself (never allocated, never swept).
enum PageKind : uint8_t { PAGE_FREE = 0, PAGE_SLAB = 1, PAGE_LARGE_HEAD = 2, PAGE_LARGE_CONT = 3, PAGE_META = 4 };
inline uint64_t page_entry(PageKind k, uint32_t cls, uint32_t run) {
  return uint64_t(k) | (uint64_t(cls & 0xff) << 8) | (uint64_t(run) << 32);
}
inline PageKind entry_kind(uint64_t e) { return PageKind(e & 0xff); }
inline uint32_t entry_class(uint64_t e) { return uint32_t((e >> 8) & 0xff); }
inline uint32_t entry_run(uint64_t e) { return uint32_t(e >> 32); }

// Index bucket: one cache line = 7 slots + the offset of the next (overflow) bucket.
// A slot is (fingerprint << 48) | item offset; 0 = empty. Publishing an item is one 8-byte store.
constexpr int BUCKET_SLOTS = 7;
struct alignas(64) Bucket {
  uint64_t slot[BUCKET_SLOTS];
  uint64_t next;
};
static_assert(sizeof(Bucket) == 64, "bucket must be one cache line");
constexpr uint64_t SLOT_OFF_MASK = (1ull << 48) - 1;
inline uint64_t slot_off(uint64_t s) { return s & SLOT_OFF_MASK; }
inline uint16_t slot_fp(uint64_t s) { return uint16_t(s >> 48); }
inline uint64_t make_slot(uint16_t fp, uint64_t off) { return (uint64_t(fp) << 48) | off; }

// Item header, followed by key bytes then value bytes. crc covers everything after the crc field
// up to the end of the value, so a torn or damaged item is detected and never returned.
// type: the Redis type in the low nibble, how the item holds it in the high nibble (coll.h):
// 0 = a string; a packed collection (its elements in the value); a large collection's root (the
// value points at its CollHeader); an element of a large collection (never in the main index).
enum ItemType : uint8_t { ITEM_STRING = 0 };
struct ItemHeader {
  uint32_t crc;
  uint32_t klen;
  uint64_t vlen;
  uint64_t cas;
  int64_t expire_ms;   // absolute ms since the epoch, 0 = never
  uint32_t flags;      // memcached client flags
  uint32_t epoch;      // flush epoch the item was written in
  uint8_t type;
  uint8_t pad[7];
};
static_assert(sizeof(ItemHeader) == 48, "item header layout");
inline uint64_t item_size(uint64_t klen, uint64_t vlen) { return sizeof(ItemHeader) + klen + vlen; }

// Intent log: entries are whole bucket images; state != 0 means "committed, apply on open".
struct LogHeader {
  uint64_t state;     // number of committed entries, 0 = empty
  uint64_t crc;       // CRC32C of the entries (guards against a damaged log)
  uint64_t seq;
  // Nonzero: the committed entries come with a FLUSHALL (an EXEC that holds one), and applying
  // them sets the pool's flush_epoch to this value too. Was padding (always 0) before transactions:
  // builds older than MULTI/EXEC ignore it, so a pool that crashed inside such a commit must be
  // reopened by a build that knows it.
  uint64_t flush_epoch;
  uint64_t pad[4];
};
struct LogEntry {
  uint64_t bucket_off;
  uint64_t pad[7];
  Bucket image;
};
static_assert(sizeof(LogEntry) == 128, "log entry layout");

}  // namespace dax
