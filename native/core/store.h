// The store: item operations on the pool with crash-consistent updates.
//
// Path of a write: the new item is written into a fresh chunk (never in place) and its range noted;
// the index slot that publishes it is staged in the DRAM overlay; the old item goes to a
// pending-free list. barrier(): phase 1 persists every noted range (items, new overflow buckets,
// page-table entries, header words); phase 2 writes the staged buckets (through the intent log for
// multi-key writes) and persists them; then pending frees are released. So an item is always
// persistent before the 8-byte slot store that publishes it, a freed chunk is never reused before
// its unlinking is persistent, and a crash leaves either the old or the new slot value.
// The one write in place, a SETRANGE/SETBIT of a few bytes within a large value (patch_range), stages the item's changed cache
// lines like buckets and commits them through the intent log, so it keeps the same guarantee.
//
// Open is O(1) in the number of keys: header validation, intent-log replay (bounded by the log
// size), and a pass over the page table (O(pool size / 1 MiB)). The volatile state that a full
// scan would give (which chunks are free, the exact key count, damaged items) is rebuilt by
// maintenance() in small slices that the server runs between requests; the allocator hands out
// only pages the rebuild has finished with, so the two never conflict.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alloc.h"
#include "coll.h"
#include "dirty.h"
#include "expiry.h"
#include "index.h"
#include "list.h"
#include "pool.h"
#include "zorder.h"

namespace dax {

enum class St : int {
  Ok = 0,
  NotFound = 1,      // key absent (or XX failed)
  Exists = 2,        // NX failed / target exists
  CasMismatch = 3,
  NoMem = 4,         // pool full
  TooLarge = 5,      // value or key beyond the limits
  TooManyKeys = 6,   // multi-key write larger than the intent log
  WrongType = 7,     // the key holds another type (a string op on a hash, a hash op on a set, ...)
  OutOfRange = 8,    // an index past the end (LSET)
};

// Where a new list node leaves its free room: before its entries (a head, for LPUSH), after them
// (a tail, RPUSH), or both (a list's only node).
enum class ListRoom { Left, Right, Both };

struct ItemView {
  const ItemHeader* h = nullptr;
  const uint8_t* key = nullptr;
  const uint8_t* val = nullptr;
};

struct SetOpts {
  enum Mode { Any = 0, NX = 1, XX = 2 } mode = Any;
  int64_t expire_ms = 0;
  uint32_t flags = 0;
  bool keep_ttl = false;
  bool keep_flags = false;
  uint64_t cas_cmp = 0;  // 0 = no compare
};

struct Slice {
  const uint8_t* p;
  uint64_t n;
};

// A field and its value (empty for a set member, the 8-byte score of a sorted-set member).
struct MapEntry {
  Slice f, v;
};

// When a packed collection is converted into a large one (Redis's *-max-listpack-* and
// set-max-intset-entries): more entries than `entries` (`int_entries` for a set of integers only),
// or a field or value longer than `value`.
struct MapLimits {
  uint64_t entries = 128, value = 64, int_entries = 512;
};

// A sorted set's range by score or by member (ZRANGEBYSCORE, ZRANGEBYLEX): min/max with their
// exclusive flags; a lex bound of "-" or "+" is lmin_inf/lmax_inf = -1/+1.
struct ZSpec {
  bool lex = false;
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  Slice lmin{nullptr, 0}, lmax{nullptr, 0};
  int lmin_inf = 0, lmax_inf = 0;
};

// What a key holds (TYPE, OBJECT ENCODING).
struct KeyInfo {
  uint8_t type;   // ItemType byte: kind | encoding (coll.h)
  uint8_t flags;  // a packed collection's flags (PACK_INTS)
  uint64_t count;  // elements of a collection, bytes of a string
};

struct StoreStats {
  uint64_t items, used_bytes, total_bytes, free_pages, pool_size;
  uint64_t pool_growths, pool_max_size;  // growths over the pool's life; the most grow() reaches now
  uint64_t corrupt_dropped, expired_removed, flushed_removed, barriers, flushes, drains;
  uint64_t log_replayed, next_cas, open_count, crash_count;
  int rebuild_phase;  // 0 mark, 1 sweep, 2 done
  bool count_exact, opened_clean, created;
  uint64_t mark_cursor, nbuckets;
  uint64_t index_overflow;  // the key index's overflow buckets (exact once the rebuild is done)
  uint64_t index_splits;    // buckets split by this process (linear hashing)
  uint64_t index_split_batch_max_us;  // the longest batch of splits (what one turn waited for them)
  uint64_t evicted, maxmemory;
  uint64_t expires;     // live keys with a TTL (Redis INFO keyspace expires=)
  int64_t avg_ttl_ms;   // their mean remaining TTL (avg_ttl=)
  uint64_t inplace_writes;  // SETRANGE/SETBIT writes made in place (patch_range)
  uint64_t colls_freeing;   // large collections deleted whose chunks are still being freed
  uint64_t zset_order_bytes, zset_order_trees, zset_order_builds;  // the sorted sets' DRAM order trees
};

enum class RebuildPhase { Mark = 0, Sweep = 1, Done = 2 };

// maxmemory-policy (Redis names). LRU/LFU use volatile per-chunk access metadata, sampled like Redis.
enum class EvictPolicy : int {
  NoEviction = 0, AllKeysLru, VolatileLru, AllKeysRandom, VolatileRandom, VolatileTtl, AllKeysLfu, VolatileLfu
};

struct AccessInfo {
  uint64_t idle_s;
  uint32_t freq;
};

constexpr uint64_t LOG_OP_MARGIN = 64;  // buckets one op may stage (its slots, new overflow buckets, drops)
constexpr uint64_t MAX_KEY_LEN = 1ull << 20;   // 1 MiB (Redis allows 512 MiB keys; we bound it)
constexpr uint64_t MAX_VALUE_LEN = 1ull << 32;  // 4 GiB hard ceiling; servers apply their own limits
constexpr uint64_t LIST_MAX_ENTRY = (1ull << 32) - 1024;  // a list element fits one node (a 32-bit payload)
// Values at least this long have a SETRANGE/SETBIT of up to INPLACE_MAX_SPAN bytes within them
// applied in place (Store::patch_range) rather than copied:
// below it, copying the value into a new item costs less than the in-place write's log commit
// (bench/setbit.mjs). With cache-line flushes that barrier costs ~2 µs and a copy ~0.45 µs per KiB;
// with msync the barrier's several msync calls cost about what copying 256 KiB does.
constexpr uint64_t INPLACE_MIN_VALUE = 4096;
// The key index splits while it holds more than SPLIT_LOAD keys per bucket of 7 slots (a load
// factor of ~0.71, where chains past the home bucket stay rare), up to SPLITS_PER_BARRIER after a
// turn and SPLITS_PER_SLICE in a maintenance slice.
constexpr uint64_t SPLIT_LOAD = 5;
constexpr uint32_t SPLITS_PER_BARRIER = 64;
constexpr uint32_t SPLITS_PER_SLICE = 256;
constexpr uint64_t INPLACE_MIN_VALUE_PAGE = 256 * 1024;
constexpr uint64_t INPLACE_MAX_SPAN = 4096;  // 64 lines + the header's: well within the smallest intent log

int64_t now_ms();   // wall clock (TTLs are absolute Unix times, as in Redis)
int64_t mono_ns();  // monotonic clock, for time budgets
// The wall clock at the kernel tick (CLOCK_REALTIME_COARSE: a few ms behind now_ms(), never ahead,
// and without reading the TSC): enough for the LRU clock's whole seconds, which every write and read
// stamps. TTLs and LFU minutes keep now_ms().
int64_t coarse_now_ms();

// Told when a pool item stops being reachable (overwritten, deleted, expired, evicted, dropped as
// damaged) and at FLUSHALL, in the same step, so copies of items (the DRAM tier) never outlive them.
class ItemObserver {
 public:
  virtual ~ItemObserver() = default;
  // h: the unlinked item, still readable (its chunk is freed at the next barrier); nullptr when
  // the slot pointed at no valid item.
  virtual void item_gone(uint64_t off, const ItemHeader* h) = 0;
  virtual void all_gone() = 0;
};

class Store {
 public:
  Store(const std::string& path, const PoolOptions& opt);
  ~Store();

  // Reads. The view stays valid until the next write or barrier.
  bool get(const uint8_t* k, uint64_t kl, ItemView& out);
  bool get_hashed(const uint8_t* k, uint64_t kl, uint64_t hash, ItemView& out, uint64_t* off = nullptr);
  // A read served from a copy of the item at off: recency/frequency for eviction, as a pool read.
  void note_access(uint64_t off) {
    if (!no_touch_) touch_access(off);
  }
  // Lookups until set_no_touch(false) leave LRU/LFU clocks alone (Redis's LOOKUP_NOTOUCH: TYPE,
  // EXISTS, TTL must not make a key look recently used).
  void set_no_touch(bool on) { no_touch_ = on; }
  void set_observer(ItemObserver* o) { observer_ = o; }
  // Starts loading the key's home bucket (a read-through cache overlaps it with its own lookup).
  void prefetch(uint64_t hash) const { __builtin_prefetch(pool_->at<uint8_t>(index_.home(hash))); }
  // Test-only: every pool item lookup busy-waits this long, as a slower medium would take.
  void set_read_delay_ns(uint32_t ns) { read_delay_ns_ = ns; }
  bool exists(const uint8_t* k, uint64_t kl) {
    ItemView v;
    return get(k, kl, v);
  }

  // Writes. Each returns St::NoMem without any effect when the pool is full.
  St set(const uint8_t* k, uint64_t kl, const uint8_t* v, uint64_t vl, const SetOpts& o, uint64_t* cas_out);
  St del(const uint8_t* k, uint64_t kl);
  uint64_t del_many(const std::vector<Slice>& keys, St* st);  // crash-atomic
  St touch(const uint8_t* k, uint64_t kl, int64_t expire_ms, uint64_t* cas_out);
  St append(const uint8_t* k, uint64_t kl, const uint8_t* d, uint64_t dl, bool prepend, uint64_t* newlen,
            uint64_t* cas_out);
  St setrange(const uint8_t* k, uint64_t kl, uint64_t off, const uint8_t* d, uint64_t dl, uint64_t* newlen);
  // SETBIT: sets (on) or clears the bits of `mask` in byte `byte_off`, creating or zero-padding the
  // value as SETRANGE does; *was_set tells whether they were set. A value of INPLACE_MIN_VALUE bytes
  // or more that holds the byte is changed in place (setrange's patch_range) instead of copied.
  St setbit(const uint8_t* k, uint64_t kl, uint64_t byte_off, uint8_t mask, bool on, bool* was_set);
  St rename(const uint8_t* s, uint64_t sl, const uint8_t* d, uint64_t dl, bool nx);  // crash-atomic
  St copy(const uint8_t* s, uint64_t sl, const uint8_t* d, uint64_t dl, bool replace);
  St mset(const std::vector<Slice>& kv, bool nx);  // kv = k1 v1 k2 v2 ...; crash-atomic
  void flush_all();

  // What the key holds; false when absent.
  bool key_info(const uint8_t* k, uint64_t kl, KeyInfo& out);

  // Maps: hashes, sets and sorted sets' members (kind KIND_HASH/KIND_SET/KIND_ZSET; store_map.cc).
  // Every call answers WrongType, without any effect, when the key holds another type. Slices
  // returned point into the pool and stay valid until the next write or barrier.
  St map_get(const uint8_t* k, uint64_t kl, uint8_t kind, const uint8_t* f, uint64_t fl, Slice* val);
  // Sets fields (fv = f1 v1 f2 v2 ...), creating the key; nx: only fields not there. *added = new
  // fields. Crash-atomic as one write (more fields than the intent log holds at once are applied in
  // crash-atomic groups; in a transaction begin_atomic bounds them).
  // replace: whatever the key holds (any type) is deleted in the same op as the first write, so a
  // write that runs out of memory leaves the old value (RESTORE REPLACE).
  St map_put(const uint8_t* k, uint64_t kl, uint8_t kind, const std::vector<Slice>& fv, bool nx, uint64_t* added,
             bool replace = false);
  // Removes fields; the key goes with its last field. *removed = fields that were there.
  St map_del(const uint8_t* k, uint64_t kl, uint8_t kind, const std::vector<Slice>& fields, uint64_t* removed);
  St map_len(const uint8_t* k, uint64_t kl, uint8_t kind, uint64_t* n);  // 0 when absent
  // Entries from `cursor`, at least `count` unless the end comes first; *next = 0 at the end. A
  // packed collection answers whole. An entry there for the whole scan is returned at least once.
  St map_scan(const uint8_t* k, uint64_t kl, uint8_t kind, uint64_t cursor, uint64_t count, std::vector<MapEntry>& out,
              uint64_t* next);
  // One entry chosen at random (NotFound when the key is absent).
  St map_random(const uint8_t* k, uint64_t kl, uint8_t kind, MapEntry* out);
  void set_map_limits(uint8_t kind, const MapLimits& l) { map_limits_[kind & 3] = l; }
  void set_list_fill(int64_t fill) { list_limits_ = ListLimits::of_fill(fill); }
  // Grows the pool to new_size bytes while serving (Pool::grow: crash-atomic); its new pages are
  // free at once. Throws PoolError. Needs no barrier: what is in flight keeps its own.
  void grow(uint64_t new_size) {
    pool_->grow(new_size);
    alloc_.grow();
  }
  int pool_fd() const { return pool_->dup_fd(); }  // a descriptor of its own (close it)
  uint64_t pool_size() const { return pool_->size(); }

  // Sorted sets' order (store_zset.cc): members ascending by (score, member), as Redis orders them.
  // The ranks [*start, *end) of the members within spec (empty when none; 0,0 when absent).
  St zset_span(const uint8_t* k, uint64_t kl, const ZSpec& spec, uint64_t* start, uint64_t* end);
  // Members (f) and 8-byte scores (v) of ranks [start, end), ascending.
  St zset_slice(const uint8_t* k, uint64_t kl, uint64_t start, uint64_t end, std::vector<MapEntry>& out);
  // The member's rank (NotFound when it or the key is absent).
  St zset_rank(const uint8_t* k, uint64_t kl, const uint8_t* m, uint64_t ml, uint64_t* rank);
  // DRAM the large sets' order trees may take (the least recently used are dropped past it).
  void set_zset_order_budget(uint64_t bytes) { zorder_.set_budget(bytes); }
  // Every built order tree's invariants, and its size against its collection's count; false with
  // the first problem in *why.
  bool zset_order_check(std::string* why);

  // Lists (store_list.cc). Indexes are Redis's (negative from the end). Each answers WrongType,
  // without any effect, on a key of another type; Slices point into the pool until the next write.
  // Pushes values one after another at the head (left) or tail, creating the key unless xx (then
  // nothing happens to an absent key, *len = 0); *len = the length after.
  St list_push(const uint8_t* k, uint64_t kl, bool left, const std::vector<Slice>& vals, bool xx, uint64_t* len,
               bool replace = false);
  // Up to count values from the head or tail, in pop order; the key goes with its last value.
  St list_pop(const uint8_t* k, uint64_t kl, bool left, uint64_t count, std::vector<std::string>& out);
  St list_range(const uint8_t* k, uint64_t kl, int64_t start, int64_t stop, std::vector<Slice>& out);
  St list_index(const uint8_t* k, uint64_t kl, int64_t idx, Slice* out);  // NotFound: absent or out of range
  St list_set(const uint8_t* k, uint64_t kl, int64_t idx, const uint8_t* v, uint64_t vl);  // NotFound: no key
  St list_trim(const uint8_t* k, uint64_t kl, int64_t start, int64_t stop);
  // *len: the length after, -1 when the pivot is not there, 0 when the key is absent.
  St list_insert(const uint8_t* k, uint64_t kl, bool before, const uint8_t* pv, uint64_t pl, const uint8_t* v, uint64_t vl,
                 int64_t* len);
  // LREM: count > 0 from the head, < 0 from the tail, 0 all. More rewritten nodes than the log
  // holds at once are removed in crash-atomic steps.
  St list_rem(const uint8_t* k, uint64_t kl, int64_t count, const uint8_t* v, uint64_t vl, uint64_t* removed);
  // LPOS: indexes of matches, the |rank|-th first (from the tail when rank < 0), at most count of
  // them (0: all), comparing at most maxlen entries (0: all).
  St list_pos(const uint8_t* k, uint64_t kl, const uint8_t* v, uint64_t vl, int64_t rank, uint64_t count, uint64_t maxlen,
              std::vector<uint64_t>& out);
  // LMOVE: one value from an end of s to an end of d, crash-atomic (NotFound when s is absent).
  St list_move(const uint8_t* s, uint64_t sl, const uint8_t* d, uint64_t dl, bool from_left, bool to_left, std::string* out);

  // Transactions (MULTI/EXEC). Every write between begin_atomic() and end_atomic() joins one turn
  // that the next barrier commits through the intent log, so after a crash all of them are there
  // or none. `buckets` bounds the index buckets those writes may stage (LOG_OP_MARGIN per keyed
  // write is always enough); false, and nothing begun, when the log cannot hold that many. `bytes`
  // is about what they will allocate: with an eviction policy, keys are evicted first until that
  // much is free, because inside no barrier may run, and a chunk freed by eviction is reusable only
  // after one; a write that still finds the pool full answers NoMem (its command fails alone).
  bool begin_atomic(uint64_t buckets, uint64_t bytes);
  void end_atomic() { in_atomic_ = false; }
  // Buckets begin_atomic accepts at most.
  uint64_t atomic_capacity() const { return index_.log_capacity() - LOG_OP_MARGIN; }

  uint64_t count() const { return live_count_; }
  // Keys of whole bucket chains from `cursor`; returns the next cursor (0 = done).
  uint64_t scan(uint64_t cursor, uint64_t count, std::vector<Slice>& out);
  bool random_key(Slice& out);

  void barrier();
  // Linear hashing of the key index (index.h): while keys outnumber SPLIT_LOAD per bucket, up to
  // max_splits splits staged and committed as one atomic step. barrier() runs a few after each
  // turn's commit, maintenance() more, so growth keeps up with inserts without a long pause.
  void split_index(uint32_t max_splits);
  // Runs a slice of background work: the rebuild after open, flush cleanup, then active expiry for at
  // most `expire_us` microseconds. Returns true while urgent work remains (rebuild, flush cleanup, or
  // keys already due that the slice had no time for), so the caller runs the next slice at once.
  bool maintenance(uint32_t budget, uint32_t expire_us = 1000);
  // Removes up to `max` keys whose TTL has passed, earliest first, until `deadline_ns` (monotonic).
  // Returns how many were removed; *more says whether due keys remain.
  uint64_t expire_due(uint64_t max, int64_t deadline_ns, bool* more);
  void finish_rebuild();
  void close();

  // Eviction: when a write finds no room (pool full, or used bytes over maxmemory when > 0).
  void set_limits(EvictPolicy p, uint64_t maxmemory) {
    if (p != policy_) evict_pool_.clear();  // scores of another policy
    policy_ = p;
    maxmemory_ = maxmemory;
  }
  bool access_info(const uint8_t* k, uint64_t kl, AccessInfo& out);
  bool set_access_hint(const uint8_t* k, uint64_t kl, int64_t idle_s, int freq);

  StoreStats stats() const;
  std::vector<ClassStats> class_stats() const;
  Pool& pool() { return *pool_; }
  bool closed() const { return closed_; }
  uint64_t cas_of_last_write() const { return next_cas_ - 1; }

 private:
  struct Found {
    uint64_t boff;
    int idx;
    uint64_t off;
    const ItemHeader* h;
  };
  bool find(const uint8_t* k, uint64_t kl, uint64_t hash, Found& f, bool verify);
  const ItemHeader* item_at(uint64_t off, uint64_t* cap) const;
  bool verify_item(uint64_t off, const ItemHeader* h);
  bool expired(const ItemHeader* h, int64_t now) const { return h->expire_ms != 0 && h->expire_ms <= now; }
  bool stale(const ItemHeader* h) const { return h->epoch != uint32_t(flush_epoch_); }
  void drop(uint64_t hash, uint64_t boff, int idx, uint64_t off, bool was_live, bool free_it);
  uint64_t write_item(const uint8_t* k, uint64_t kl, const Slice* parts, int nparts, uint64_t vlen,
                      uint32_t flags, int64_t expire_ms, uint8_t type = ITEM_STRING);
  // Collections (store_map.cc).
  struct MapHit {
    uint64_t boff;
    int idx;
    uint64_t off;
    const ItemHeader* h;
  };
  int find_map(const uint8_t* k, uint64_t kl, uint64_t hash, uint8_t kind, Found& f);
  uint64_t root_header(const ItemHeader* h) const;
  uint64_t elements_of(const ItemHeader* h) const;
  const CollHeader* coll(uint64_t ch) const { return reinterpret_cast<const CollHeader*>(index_.view(ch)); }
  CollHeader* coll_edit(uint64_t ch) { return reinterpret_cast<CollHeader*>(index_.edit(ch)); }
  uint64_t dir_entry_off(const CollHeader* c, uint64_t seg) const { return align_line(c->dir) + seg * 8; }
  uint64_t read_word(uint64_t off) const;
  uint64_t map_bucket(const CollHeader* c, uint64_t b) const;
  bool map_find(uint64_t ch, const uint8_t* f, uint64_t fl, uint64_t fh, MapHit& out);
  St map_put_one(uint64_t ch, uint8_t kind, const uint8_t* f, uint64_t fl, const uint8_t* v, uint64_t vl, bool nx, bool* added);
  St map_split(uint64_t ch);
  uint64_t new_chunk(uint64_t bytes);
  uint64_t write_tracked(const uint8_t* k, uint64_t kl, const Slice* parts, int nparts, uint64_t vlen, uint32_t flags,
                         int64_t expire_ms, uint8_t type);
  St build_large(uint8_t kind, const std::vector<PackedEntry>& es, uint64_t* ch_out);
  St put_packed(uint64_t hash, const Found* old, const uint8_t* k, uint64_t kl, uint8_t kind, uint8_t flags,
                const std::vector<PackedEntry>& es, int64_t expire_ms);
  St copy_collection(const ItemHeader* src, const uint8_t* d, uint64_t dl, uint64_t* off_out);
  void collect_entries(uint64_t ch, std::vector<PackedEntry>& out);
  struct ZPacked {
    double score;
    Slice m, v;
  };
  static double zscore_of(const uint8_t* v, uint64_t vl);
  int zset_view(const uint8_t* k, uint64_t kl, ZTree** tree, std::vector<ZPacked>& packed);
  // Lists (store_list.cc).
  const ListHeader* lhead(uint64_t ch) const;
  ListHeader* lhead_edit(uint64_t ch);
  const ListNode* lnode(uint64_t line) const;
  ListNode* lnode_edit(uint64_t line);
  uint8_t* lpayload(uint64_t line) const;
  uint64_t new_node(uint64_t need, uint64_t owner);
  void fill_node(uint64_t line, const ListEntry* es, size_t n, uint64_t bytes, ListRoom room);
  St build_nodes(uint64_t owner, const std::vector<ListEntry>& es, ListRoom room, uint64_t* first, uint64_t* last,
                 uint64_t* nodes);
  St build_list(const std::vector<ListEntry>& es, ListRoom room, uint64_t* ch_out);
  uint64_t write_root(const uint8_t* k, uint64_t kl, uint64_t ch, uint8_t kind, uint32_t flags, int64_t expire_ms);
  ListRoom room_of(uint64_t ch, uint64_t line) const;
  St replace_node(uint64_t ch, uint64_t line, const std::vector<ListEntry>& es, ListRoom room);
  St list_push_one(uint64_t ch, bool left, const uint8_t* p, uint64_t n);
  void list_cut(uint64_t ch, bool front, uint64_t m, std::vector<std::string>* out);
  bool list_locate(uint64_t ch, uint64_t idx, uint64_t* line, uint64_t* within) const;
  St copy_list(const ItemHeader* src, const uint8_t* d, uint64_t dl, uint64_t* off_out);
  bool mark_list(uint64_t ch);
  void release_if_root(uint64_t off, const ItemHeader* h);
  void release_coll(uint64_t ch);
  bool mark_coll(uint64_t ch, uint8_t kind);
  void free_walk(uint64_t budget);
  bool publish(uint64_t hash, const Found* old, uint64_t off);
  void patch_range(uint64_t off, uint64_t at, const uint8_t* d, uint64_t dl);
  uint64_t inplace_min() const;
  uint64_t next_cas();
  void count_delta(uint64_t hash, int64_t d);
  bool reserve_log(uint64_t buckets);
  void guard_log();
  St del_key(const uint8_t* k, uint64_t kl);
  bool reclaim();
  template <class F> St with_reclaim(F op);
  void op_begin();
  void op_rollback();
  void touch_access(uint64_t off);
  bool evict_one();
  bool at_home(uint64_t b, uint64_t slot, const ItemHeader* h) const;
  void mark_walk(uint32_t budget);
  void clean_walk(uint32_t budget);
  bool expire_at(uint64_t off, int64_t expire_ms);
  // The removal counters of the class of the chunk at off (large runs share the last entry).
  ClassRemovals& removals_of(uint64_t off) { return removals_[alloc_.class_for(alloc_.capacity(off))]; }
  void count_expired(uint64_t off);
  // The item at off is unlinked: copies of it go now, its chunk after the next barrier.
  void retire(uint64_t off) {
    pending_free_.push_back(off);
    if (observer_) observer_->item_gone(off, item_at(off, nullptr));
  }

  struct CollFree {
    uint64_t ch, bucket;  // a deleted collection's header, and the next bucket (a list's next node) to free
    bool started = false;  // a list: bucket holds its next node
  };
  bool free_list_walk(CollFree& q, uint64_t* budget);
  std::vector<CollFree> coll_free_;  // deleted large collections, freed in slices (maintenance)
  size_t coll_free_head_ = 0, op_coll_free_ = 0;
  std::vector<uint64_t> op_allocs_;  // chunks the current op allocated: freed if it is undone
  bool moving_root_ = false;         // RENAME: the root unlinked from the source key lives on
  MapLimits map_limits_[4];
  ListLimits list_limits_;
  std::unique_ptr<Pool> pool_;
  DirtyRanges dirty_;
  Allocator alloc_;
  Index index_;
  ZOrder zorder_;  // DRAM: the order of large sorted sets, built per key on first use (zorder.h)
  ExpiryIndex expiry_;  // DRAM: live items with a TTL, by expiry time (active expiry)
  PoolHeaderDynamic* dyn_;
  std::vector<uint64_t> pending_free_;
  bool atomic_turn_ = false;
  bool in_atomic_ = false;  // between begin_atomic() and end_atomic(): no barrier may run
  uint64_t evict_cursor_ = 0;   // where evict_one's walk of a sparse index goes on
  uint64_t inplace_writes_ = 0;  // writes made in place (patch_range) since open
  bool epoch_in_turn_ = false;  // a FLUSHALL in a transaction: its epoch is committed by the log
  Fault fault_ = Fault::None;  // test-only fault injection (crash-simulation pools only)
  size_t op_frees_ = 0;  // pending_free_ size, live count at op_begin(), restored by op_rollback()
  uint64_t op_live_ = 0, op_walked_ = 0;
  bool closed_ = false;
  uint64_t flush_epoch_;
  uint64_t next_cas_ = 1, cas_limit_ = 1;
  uint64_t live_count_ = 0;
  bool count_exact_ = false, opened_clean_ = false;
  RebuildPhase phase_ = RebuildPhase::Done;
  bool splitting_ = false;
  int64_t split_batch_max_ns_ = 0;  // the longest batch of index splits (a turn's wait for them)
  uint64_t mark_cursor_ = 0, walked_ = 0;
  bool cleanup_pending_ = false;
  uint64_t clean_cursor_ = 0, clean_start_ = 0;
  EvictPolicy policy_ = EvictPolicy::NoEviction;
  uint64_t maxmemory_ = 0, evicted_ = 0;
  struct EvictCand {
    uint64_t b, boff, off;
    int idx;
    double score;
  };
  static constexpr size_t EVICT_POOL_SIZE = 16;
  std::vector<EvictCand> evict_pool_;  // best eviction candidates kept across samples (volatile)
  bool no_touch_ = false;
  bool crawling_ = false;
  ItemObserver* observer_ = nullptr;
  uint32_t read_delay_ns_ = 0;  // removals now are active expiry's, not a request's
  std::vector<ClassRemovals> removals_;  // per class, [nclasses] for large items
  uint64_t corrupt_ = 0, expired_ = 0, flushed_removed_ = 0, barriers_ = 0, log_replayed_ = 0;
};

// One write that, when the pool is full, is undone whole and tried again after making room: freeing
// what waits for a barrier, expiring keys past their TTL, then evicting by policy. A template
// here, not in store.cc, because every family of writes (strings, maps) runs through it.
template <class F>
St Store::with_reclaim(F op) {
  guard_log();
  St st;
  // One try of the operation: kept unless it ran out of memory, else undone completely.
  auto attempt = [&]() {
    op_begin();
    st = op();
    if (st != St::NoMem) {
      index_.op_end();
      expiry_.op_end();
      return true;
    }
    op_rollback();
    return false;
  };
  if (attempt()) return st;
  // In a transaction nothing can be freed for reuse before its barrier (see begin_atomic).
  if (in_atomic_) return St::NoMem;
  if (reclaim() && attempt()) return st;
  // Memory held by keys already past their TTL is reclaimed before any live key is evicted and
  // before -OOM is answered (with noeviction too), the earliest first, a batch at a time.
  for (bool more = true; more;) {
    if (!expire_due(256, INT64_MAX, &more)) break;
    barrier();  // the expired chunks are free once their unlinking is persistent
    if (attempt()) return st;
  }
  // Evict by policy, a few keys at a time, until the write fits (bounded: a large value may need
  // whole free pages, which evicting small items yields only slowly).
  for (int round = 0; policy_ != EvictPolicy::NoEviction && round < 1024; round++) {
    int n = 0;
    for (int i = 0; i < 8; i++) n += evict_one();
    if (!n) break;
    barrier();  // the evicted chunks are free once their unlinking is persistent
    if (attempt()) return st;
  }
  return St::NoMem;
}

}  // namespace dax
