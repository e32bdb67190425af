// CRC32C (Castagnoli): SSE4.2 instruction where the CPU has it, a table otherwise.
#pragma once
#include <cstddef>
#include <cstdint>

namespace dax {
uint32_t crc32c(uint32_t crc, const void* data, size_t len);
}
