#include "check.h"

#include <cstring>
#include <functional>

#include "alloc.h"
#include "coll.h"
#include "crc32c.h"
#include "hash.h"
#include "index.h"
#include "list.h"
#include "pool.h"

namespace dax {

namespace {

void count_pages(Pool& p, uint64_t& slab, uint64_t& large, uint64_t& freep) {
  for (uint64_t i = 0; i < p.hdr().npages; i++) {
    switch (entry_kind(*p.page_entry_ptr(i))) {
      case PAGE_SLAB: slab++; break;
      case PAGE_LARGE_HEAD:
      case PAGE_LARGE_CONT: large++; break;
      case PAGE_META: break;
      default: freep++;
    }
  }
}

// A list from its header: every node a chunk referenced once, its magic and owner right, links
// both ways, its entries well-formed and as many as it counts, and the header's counts the sums.
void check_list(Pool& p, Allocator& a, uint64_t ch, const std::string& where, CheckReport& r,
                const std::function<void(const std::string&)>& problem) {
  const ListHeader* L = p.at<ListHeader>(ch);
  uint64_t prev = 0, found = 0, nodes = 0, max_nodes = p.hdr().npages * (SLAB_PAGE_SIZE / MIN_CHUNK);
  std::vector<ListEntry> es;
  for (uint64_t line = L->head; line; nodes++) {
    std::string at = where + ": list node " + std::to_string(nodes);
    if (line % CACHE_LINE || line < p.hdr().slab_off || line + CACHE_LINE > p.hdr().pool_size || nodes > max_nodes)
      return problem(at + " is outside the slab area");
    const ListNode* n = p.at<ListNode>(line);
    if (n->magic != LNODE_MAGIC || n->owner != ch) return problem(at + ": magic or owner mismatch");
    if (n->prev != prev) return problem(at + ": back link does not name the node before it");
    if (n->chunk > line || line - n->chunk >= CACHE_LINE || a.capacity(n->chunk) < (line - n->chunk) + CACHE_LINE + n->cap)
      return problem(at + ": payload out of its chunk");
    int m = a.mark(n->chunk, false);
    if (m != 1) return problem(at + (m < 0 ? ": chunk referenced twice" : ": not a chunk start"));
    if (n->count == 0 || !node_decode(*n, p.at<uint8_t>(line + CACHE_LINE), es))
      return problem(at + ": entries malformed or not " + std::to_string(n->count));
    found += n->count;
    prev = line;
    line = n->next;
  }
  r.collections++;
  r.elements += found;
  if (L->tail != prev) problem(where + ": list tail does not name its last node");
  if (found != L->count || nodes != L->nodes)
    problem(where + ": list count " + std::to_string(L->count) + " in " + std::to_string(L->nodes) + " nodes but " +
            std::to_string(found) + " in " + std::to_string(nodes));
}

// A large collection's structure, from its root: header, directory and segments in bounds, every
// chunk referenced once, every slot an element of the root's kind whose checksum holds and whose
// field hashes to its bucket, and the header's count equal to the elements found.
void check_collection(Pool& p, Allocator& a, Index& idx, uint64_t ch, uint8_t kind, const std::string& where,
                      CheckReport& r, const std::function<void(const std::string&)>& problem) {
  if (!idx.valid_overflow(ch) || a.mark(ch, true) != 1) return problem(where + ": collection header is not a valid chunk");
  const CollHeader* c = p.at<CollHeader>(ch);
  if (c->magic != COLL_MAGIC || c->kind != kind) return problem(where + ": collection header magic or kind mismatch");
  if (kind == KIND_LIST) return check_list(p, a, ch, where, r, problem);
  if (c->nbuckets < 1 || c->dir_cap < 1 || c->nbuckets > c->dir_cap * SEG_BUCKETS) return problem(where + ": collection table size out of bounds");
  if (a.capacity(c->dir) < aligned_alloc_size(c->dir_cap * 8) || a.mark(c->dir, false) != 1)
    return problem(where + ": collection directory is not a valid chunk");
  const uint64_t* dir = p.at<uint64_t>(align_line(c->dir));
  uint64_t segs = (c->nbuckets + SEG_BUCKETS - 1) / SEG_BUCKETS;
  for (uint64_t i = 0; i < segs; i++)
    if (a.capacity(dir[i]) < aligned_alloc_size(SEG_BUCKETS * sizeof(Bucket)) || a.mark(dir[i], false) != 1)
      return problem(where + ": collection segment " + std::to_string(i) + " is not a valid chunk");
  r.collections++;
  uint64_t found = 0;
  for (uint64_t b = 0; b < c->nbuckets; b++) {
    uint64_t boff = align_line(dir[b / SEG_BUCKETS]) + (b % SEG_BUCKETS) * sizeof(Bucket);
    for (int guard = 0; boff && guard < (1 << 20); guard++) {
      const Bucket* bk = p.at<Bucket>(boff);
      for (int i = 0; i < BUCKET_SLOTS; i++) {
        uint64_t s = bk->slot[i];
        if (!s) continue;
        uint64_t off = slot_off(s);
        std::string at = where + " element bucket " + std::to_string(b) + " -> offset " + std::to_string(off);
        uint64_t cap = a.capacity(off);
        const ItemHeader* e = cap >= sizeof(ItemHeader) ? p.at<ItemHeader>(off) : nullptr;
        if (!e || e->klen > (1u << 20) || item_size(e->klen, e->vlen) > cap) {
          problem(at + ": does not point at an element");
          continue;
        }
        if (crc32c(0, reinterpret_cast<const uint8_t*>(e) + 4, item_size(e->klen, e->vlen) - 4) != e->crc) {
          problem(at + ": element checksum mismatch");
          continue;
        }
        if (e->type != uint8_t(kind | ENC_ELEMENT)) {
          problem(at + ": not an element of this collection's type");
          continue;
        }
        uint64_t fh = hash_key(reinterpret_cast<const uint8_t*>(e + 1), e->klen);
        if (map_bucket_no(fh, c->nbuckets) != b || uint16_t(fh >> 48) != slot_fp(s)) {
          problem(at + ": field does not hash to this bucket");
          continue;
        }
        if (a.mark(off, false) != 1) {
          problem(at + ": element chunk referenced twice");
          continue;
        }
        found++;
      }
      uint64_t next = bk->next;
      if (next && (!idx.valid_overflow(next) || a.mark(next, true) != 1)) {
        problem(where + " element bucket " + std::to_string(b) + ": bad overflow link");
        break;
      }
      boff = next;
    }
  }
  r.elements += found;
  if (found != c->count)
    problem(where + ": collection count " + std::to_string(c->count) + " but " + std::to_string(found) + " elements");
}

}  // namespace

PoolInfo pool_info(const std::string& path) {
  PoolOptions opt;
  opt.mode = MapMode::Private;
  Pool p(path, opt);
  PoolInfo info;
  info.hdr = p.hdr();
  info.dyn = *p.dyn();
  info.log_pending = p.at<LogHeader>(p.hdr().log_off)->state;
  count_pages(p, info.pages_slab, info.pages_large, info.pages_free);
  return info;
}

CheckReport check_pool(const std::string& path) {
  PoolOptions opt;
  opt.mode = MapMode::Private;
  Pool p(path, opt);
  CheckReport r;
  auto problem = [&](const std::string& m) {
    r.problems++;
    if (r.messages.size() < 50) r.messages.push_back(m);
  };
  const PoolHeaderStatic& h = p.hdr();
  DirtyRanges dr;
  Allocator a(p, dr);
  Index idx(p, a, dr);
  r.log_pending = p.at<LogHeader>(h.log_off)->state;
  idx.recover_log(&p.dyn()->flush_epoch);  // private mapping: applied in memory only, as open would apply it
  PoolHeaderDynamic dyn = *p.dyn();

  // Page table: classes exist, runs fit, continuation pages follow their head; a grown pool's
  // extension pages (and only they) are PAGE_META.
  uint32_t cont_left = 0;
  for (uint64_t i = 0; i < h.npages; i++) {
    uint64_t e = *p.page_entry_ptr(i);
    PageKind k = entry_kind(e);
    bool meta = is_extension_page(h, i);
    if (meta != (k == PAGE_META)) problem("page " + std::to_string(i) + (meta ? ": page-table extension page not marked" : ": marked as page-table extension"));
    if (cont_left && k != PAGE_LARGE_CONT) cont_left = 0;  // stale run: pages were reused
    switch (k) {
      case PAGE_FREE: r.pages_free++; break;
      case PAGE_SLAB:
        r.pages_slab++;
        if (entry_class(e) >= h.nclasses) problem("page " + std::to_string(i) + ": unknown size class " + std::to_string(entry_class(e)));
        break;
      case PAGE_LARGE_HEAD:
        r.pages_large++;
        if (entry_run(e) == 0 || i + entry_run(e) > h.npages) problem("page " + std::to_string(i) + ": large run out of bounds");
        cont_left = entry_run(e) - 1;
        break;
      case PAGE_LARGE_CONT:
        r.pages_large++;
        if (cont_left) cont_left--;
        break;
      case PAGE_META: break;
      default: problem("page " + std::to_string(i) + ": unknown page kind " + std::to_string(int(k)));
    }
  }

  a.load(false);
  idx.own_chunks([&](uint64_t off) {
    if (a.mark(off, false) != 1) problem("key index segment or directory at offset " + std::to_string(off) + " is no chunk");
  });
  r.buckets = idx.nbuckets();
  r.class_items.assign(h.nclasses + 1, 0);
  r.class_size.assign(h.class_size, h.class_size + h.nclasses);
  int64_t now = 0;
  {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  }
  for (uint64_t b = 0; b < idx.nbuckets(); b++) {
    uint64_t boff = idx.bucket_off(b);
    uint64_t chain = 0;
    while (boff) {
      chain++;
      const Bucket* bk = p.at<Bucket>(boff);
      for (int i = 0; i < BUCKET_SLOTS; i++) {
        uint64_t s = bk->slot[i];
        if (!s) continue;
        uint64_t off = slot_off(s);
        std::string where = "bucket " + std::to_string(b) + " slot " + std::to_string(i) + " -> offset " + std::to_string(off);
        uint64_t cap = a.capacity(off);
        if (cap < sizeof(ItemHeader)) {
          problem(where + ": does not point at a chunk");
          continue;
        }
        const ItemHeader* it = p.at<ItemHeader>(off);
        if (it->klen > (1u << 20) || it->vlen > cap || item_size(it->klen, it->vlen) > cap) {
          problem(where + ": item lengths exceed its chunk");
          continue;
        }
        uint64_t size = item_size(it->klen, it->vlen);
        if (crc32c(0, reinterpret_cast<const uint8_t*>(it) + 4, size - 4) != it->crc) {
          problem(where + ": item checksum mismatch");
          continue;
        }
        const uint8_t* key = reinterpret_cast<const uint8_t*>(it + 1);
        uint64_t hk = hash_key(key, it->klen);
        if (idx.home_no(hk) != b || uint16_t(hk >> 48) != slot_fp(s)) {
          problem(where + ": key does not hash to this bucket");
          continue;
        }
        int m = a.mark(off, false);
        if (m != 1) {
          problem(where + (m < 0 ? ": chunk referenced twice" : ": not a chunk start"));
          continue;
        }
        if (it->epoch != uint32_t(dyn.flush_epoch)) {
          r.stale_items++;
          continue;
        }
        if (it->expire_ms && it->expire_ms <= now) {
          r.expired_items++;
          continue;
        }
        if (is_root(it->type)) {
          CollRoot root;
          if (it->vlen < sizeof root) {
            problem(where + ": collection root too short");
            continue;
          }
          memcpy(&root, key + it->klen, sizeof root);
          check_collection(p, a, idx, root.header, item_kind(it->type), where, r, problem);
        } else if (item_enc(it->type) == ENC_ELEMENT) {
          problem(where + ": a collection element in the key index");
          continue;
        }
        r.items++;
        r.item_bytes += size;
        uint32_t c = a.class_for(size);
        r.class_items[c]++;
        if (c == h.nclasses) r.large_items++;
      }
      uint64_t next = bk->next;
      if (next) {
        if (!idx.valid_overflow(next) || a.mark(next, true) != 1) {
          problem("bucket " + std::to_string(b) + ": bad overflow link to offset " + std::to_string(next));
          break;
        }
        r.overflow_buckets++;
      }
      boff = next;
    }
    r.max_chain = std::max(r.max_chain, chain);
  }
  return r;
}

}  // namespace dax
