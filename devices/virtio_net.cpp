#include "devices/virtio_net.h"

#include <algorithm>
#include <vector>

namespace devices {

VirtioNet::VirtioNet(mmu::PhysMemory& mem, const std::array<uint8_t, 6>& mac)
    : VirtioPci(mem, 1, 0x020000, 2, kFeatureMac), mac_(mac) {}

bool VirtioNet::can_receive(size_t) const { return driver_ok() && queue(kRxQueue).has_work(mem_); }

// One frame into one chain of device-writable buffers, behind a zeroed header whose
// num_buffers (modern) is 1; what does not fit is cut off.
void VirtioNet::receive(std::span<const uint8_t> frame) {
  if (!driver_ok()) return;
  auto chain = queue(kRxQueue).pop(mem_);
  if (!chain) return;
  std::vector<uint8_t> data(header_bytes(), 0);
  if (modern()) data[10] = 1;
  data.insert(data.end(), frame.begin(), frame.end());
  size_t done = 0;
  for (const Virtqueue::Buffer& b : chain->buffers) {
    if (!b.device_writes || done == data.size()) continue;
    const size_t n = std::min<size_t>(b.len, data.size() - done);
    if (!mem_.write_block(b.addr, data.data() + done, n)) break;
    done += n;
  }
  queue(kRxQueue).push(mem_, chain->head, uint32_t(done));
  used(kRxQueue);
}

void VirtioNet::queue_notified(unsigned q) {
  if (q == kTxQueue)
    transmit();
  else if (backend_)
    backend_->frontend_ready();  // receive buffers for frames held back
}

// Every available chain: its driver-readable buffers are the header and the frame.
void VirtioNet::transmit() {
  bool any = false;
  while (auto chain = queue(kTxQueue).pop(mem_)) {
    std::vector<uint8_t> data;
    bool ok = true;
    for (const Virtqueue::Buffer& b : chain->buffers) {
      if (b.device_writes) continue;
      if (data.size() + b.len > kMaxFrame + header_bytes()) {
        ok = false;
        break;
      }
      const size_t old = data.size();
      data.resize(old + b.len);
      if (!mem_.read_block(b.addr, data.data() + old, b.len)) {
        ok = false;
        break;
      }
    }
    if (ok && data.size() > header_bytes() && backend_)
      backend_->transmit(std::span(data).subspan(header_bytes()));
    queue(kTxQueue).push(mem_, chain->head, 0);
    any = true;
  }
  if (any) used(kTxQueue);
}

}  // namespace devices
