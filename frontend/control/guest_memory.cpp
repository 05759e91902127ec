// MachineControl::read_memory: guest memory for the monitor's x and xp commands, read without
// side effects. The MMU's own walk sets accessed bits, which the guest would see, so linear
// addresses are translated here by a read-only walk of the same tables.
#include <algorithm>
#include <cstring>

#include "cpu/state.h"
#include "frontend/control/guest_memory.h"
#include "frontend/control/machine_control.h"
#include "machine/pc_machine.h"

namespace frontend::control {

// MMIO and unassigned pages are not read: a device could notice.
bool read_phys(const mmu::PhysMemory& mem, uint64_t phys, uint8_t* out, size_t len) {
  for (size_t done = 0; done < len;) {
    const uint64_t at = phys + done;
    if (at > 0xffffffffu) return false;
    const size_t chunk = std::min<size_t>(len - done, 0x1000 - (at & 0xfff));
    const mmu::PhysMemory::Page page = mem.page(uint32_t(at & ~0xfffull));  // by page address
    if (!page.host) return false;
    std::memcpy(out + done, page.host + (at & 0xfff), chunk);
    done += chunk;
  }
  return true;
}

namespace {

template <typename T>
std::optional<T> load(const mmu::PhysMemory& mem, uint64_t phys) {
  T v{};
  if (!read_phys(mem, phys, reinterpret_cast<uint8_t*>(&v), sizeof v)) return std::nullopt;
  return v;  // little-endian guest on a little-endian host
}

}  // namespace

// The physical address of `lin` under the current paging mode with the rights every level of
// the walk grants, or nullopt for a page that is not present (SDM Vol.3 §4.3: 32-bit paging,
// §4.4: PAE paging; §4.6: U/S and R/W combine across the levels).
std::optional<LinearPage> walk_linear(const mmu::PhysMemory& mem, const cpu::CpuState& s, uint32_t lin) {
  if (!(s.cr0 & cpu::cr0::PG)) return LinearPage{lin, true, true};
  constexpr uint64_t kPresent = 1, kWrite = 2, kUser = 4, kLarge = 1u << 7;
  LinearPage out{0, true, true};
  const auto level = [&out](uint64_t entry) {
    out.user &= (entry & kUser) != 0;
    out.writable &= (entry & kWrite) != 0;
  };
  if (s.cr4 & cpu::cr4::PAE) {
    constexpr uint64_t kAddr = 0x000ffffffffff000ull;
    const auto pdpte = load<uint64_t>(mem, (s.cr3 & ~0x1fu) + (lin >> 30) * 8);
    if (!pdpte || !(*pdpte & kPresent)) return std::nullopt;
    const auto pde = load<uint64_t>(mem, (*pdpte & kAddr) + ((lin >> 21) & 0x1ff) * 8);
    if (!pde || !(*pde & kPresent)) return std::nullopt;
    level(*pde);
    if (*pde & kLarge) return out.phys = (*pde & kAddr & ~0x1fffffull) | (lin & 0x1fffff), out;
    const auto pte = load<uint64_t>(mem, (*pde & kAddr) + ((lin >> 12) & 0x1ff) * 8);
    if (!pte || !(*pte & kPresent)) return std::nullopt;
    level(*pte);
    return out.phys = (*pte & kAddr) | (lin & 0xfff), out;
  }
  const auto pde = load<uint32_t>(mem, (s.cr3 & ~0xfffu) + (lin >> 22) * 4);
  if (!pde || !(*pde & kPresent)) return std::nullopt;
  level(*pde);
  if ((*pde & kLarge) && (s.cr4 & cpu::cr4::PSE))  // a 4 MB page; PSE-36 gives bits 32-35
    return out.phys = (uint64_t(*pde & 0xffc00000u) | (uint64_t((*pde >> 13) & 0xf) << 32)) | (lin & 0x3fffff), out;
  const auto pte = load<uint32_t>(mem, (*pde & ~0xfffu) + ((lin >> 12) & 0x3ff) * 4);
  if (!pte || !(*pte & kPresent)) return std::nullopt;
  level(*pte);
  return out.phys = (*pte & ~0xfffu) | (lin & 0xfff), out;
}

std::optional<std::vector<uint8_t>> MachineControl::read_memory(uint64_t addr, size_t len,
                                                                bool linear) const {
  const mmu::PhysMemory& mem = pc_.memory();
  std::vector<uint8_t> out(len);
  for (size_t done = 0; done < len;) {
    const uint64_t at = addr + done;
    const size_t chunk = std::min<size_t>(len - done, 0x1000 - (at & 0xfff));
    std::optional<uint64_t> phys = at;
    if (linear) {
      const std::optional<LinearPage> page = at > 0xffffffffu ? std::nullopt : walk_linear(mem, pc_.cpu().s, uint32_t(at));
      phys = page ? std::optional<uint64_t>(page->phys) : std::nullopt;
    }
    if (!phys || !read_phys(mem, *phys, out.data() + done, chunk)) return std::nullopt;
    done += chunk;
  }
  return out;
}

}  // namespace frontend::control
