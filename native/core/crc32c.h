// CRC32C (Castagnoli): SSE4.2 instruction where the CPU has it, a table otherwise.
#pragma once
#include <cstddef>
#include <cstdint>

namespace dax {
uint32_t crc32c(uint32_t crc, const void* data, size_t len);

// The crc32c of a `len`-byte message after `dlen` bytes at offset `at` were xored with `delta`,
// from its crc before: CRC is linear, so the change is the raw CRC of the delta followed by the
// zeros after it, which is a multiplication by x^(8 * zeros) mod P (zlib's crc32_combine method).
// O(log len) instead of reading the whole message again.
uint32_t crc32c_patch(uint32_t crc, uint64_t len, uint64_t at, const void* delta, size_t dlen);
}
