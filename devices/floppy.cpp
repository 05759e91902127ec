#include "devices/floppy.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "devices/byte_ports.h"

namespace devices {
namespace {

constexpr unsigned kSectorBytes = 512;
constexpr uint8_t kSectorSizeCode = 2;  // N: 128 << 2 = 512

// Media by image size: 360K in a 5.25" drive reads at 300 kbit/s in a 1.2M drive (as SeaBIOS
// and most AT BIOSes drive it) or 250 kbit/s in a 360K drive; both are accepted.
constexpr FloppyGeometry kGeometries[] = {
    {368640, 40, 2, 9, 1, 1, "360K"},
    {737280, 80, 2, 9, 3, 2, "720K"},
    {1228800, 80, 2, 15, 2, 0, "1.2M"},
    {1474560, 80, 2, 18, 4, 0, "1.44M"},
    {2949120, 80, 2, 36, 5, 3, "2.88M"},
};

// Command opcodes (low five bits of the first byte) and their lengths in bytes.
enum Op : uint8_t {
  kWriteData = 0x05, kReadData = 0x06, kSpecify = 0x03, kSenseDrive = 0x04, kRecalibrate = 0x07,
  kSenseInt = 0x08, kReadId = 0x0a, kFormat = 0x0d, kDumpReg = 0x0e, kSeek = 0x0f, kVersion = 0x10,
  kPerpendicular = 0x12, kConfigure = 0x13, kLock = 0x14,
};
constexpr std::array<uint8_t, 32> kCommandLength = [] {
  std::array<uint8_t, 32> t{};  // 0: not implemented (invalid command)
  t[kWriteData] = 9;
  t[kReadData] = 9;
  t[kSpecify] = 3;
  t[kSenseDrive] = 2;
  t[kRecalibrate] = 2;
  t[kSenseInt] = 1;
  t[kReadId] = 2;
  t[kFormat] = 6;
  t[kDumpReg] = 1;
  t[kSeek] = 3;
  t[kVersion] = 1;
  t[kPerpendicular] = 2;
  t[kConfigure] = 4;
  t[kLock] = 1;
  return t;
}();

constexpr uint8_t kCmdMT = 0x80, kCmdMFM = 0x40;

// Status bits.
constexpr uint8_t kSt0Abnormal = 0x40, kSt0Invalid = 0x80, kSt0SeekEnd = 0x20, kSt0EquipCheck = 0x10;
constexpr uint8_t kSt1EndOfCyl = 0x80, kSt1DataError = 0x20, kSt1Overrun = 0x10, kSt1NoData = 0x04,
                  kSt1NotWritable = 0x02, kSt1MissingAm = 0x01;
constexpr uint8_t kSt2WrongCyl = 0x10, kSt2BadCyl = 0x02;
constexpr uint8_t kMsrRqm = 0x80, kMsrDio = 0x40, kMsrBusy = 0x10;
constexpr uint8_t kDorNotReset = 0x04, kDorDmaGate = 0x08;
constexpr uint8_t kCfgEis = 0x40, kCfgNoPoll = 0x10;

// Virtual-time delays: short enough that polling guests do not spin long, long enough that the
// interrupt clearly follows the command that caused it.
constexpr uint64_t kResetNs = 10'000, kExecNs = 20'000, kSeekNs = 10'000, kStepNs = 1'000;

}  // namespace

std::optional<FloppyGeometry> Floppy::geometry_for(uint64_t bytes) {
  for (const FloppyGeometry& g : kGeometries)
    if (g.bytes == bytes) return g;
  return std::nullopt;
}

Floppy::Floppy(machine::Clock& clock, IrqSink& irq_sink, Dma8237& dma, unsigned irq, unsigned dma_channel)
    : clock_(clock), irq_sink_(irq_sink), dma_(dma), irq_(irq), dma_channel_(dma_channel) {
  exec_timer_ = clock_.add_timer([this] { execute(); });
  reset_timer_ = clock_.add_timer([this] { reset_done(); });
  for (unsigned d = 0; d < seek_timers_.size(); d++) seek_timers_[d] = clock_.add_timer([this, d] { seek_done(d); });
  reset();
}

void Floppy::attach(unsigned drive, std::unique_ptr<DiskImage> image, const std::string& what) {
  if (drive >= kDrives) throw std::runtime_error(fmt::format("{}: no floppy drive {}", what, drive));
  auto geo = geometry_for(image->size());
  if (!geo)
    throw std::runtime_error(fmt::format(
        "{}: {} is {} bytes, not a floppy image size (360K: 368640, 720K: 737280, 1.2M: 1228800, "
        "1.44M: 1474560, 2.88M: 2949120 bytes)",
        what, image->path(), image->size()));
  media_[drive].geo = *geo;
  media_[drive].image = std::move(image);
}

uint8_t Floppy::cmos_type(unsigned drive) const {
  return drive < kDrives && media_[drive].image ? media_[drive].geo.cmos_type : 0;
}

void Floppy::reset() {
  clock_.cancel(exec_timer_);
  clock_.cancel(reset_timer_);
  for (auto t : seek_timers_) clock_.cancel(t);
  s_ = State{};  // DOR 00h: the controller is held in reset until the BIOS releases it
  irq_sink_.set_irq(irq_, false);
}

void Floppy::serialize(Serializer& s) {
  s.io(s_.dor);
  s.io(s_.tdr);
  s.io(s_.dsr);
  s.io(s_.rate);
  s.io(s_.phase);
  s.io(s_.fifo);
  s.io(s_.fifo_len);
  s.io(s_.fifo_pos);
  s.io(s_.cmd_len);
  s.io(s_.srt_hut);
  s.io(s_.hlt_nd);
  s.io(s_.config);
  s.io(s_.pretrk);
  s.io(s_.perpendicular);
  s.io(s_.eot);
  s.io(s_.locked);
  s.io(s_.irq);
  s.io(s_.sense_pending);
  s.io(s_.sense_st0);
  for (DriveState& d : s_.drives) {
    s.io(d.pcn);
    s.io(d.seek_target);
    s.io(d.seek_st0);
    s.io(d.seeking);
    s.io(d.disk_changed);
  }
  if (s.loading()) {  // a damaged snapshot must not index out of the FIFO
    if (uint8_t(s_.phase) > uint8_t(Phase::Result)) s_.phase = Phase::Command;
    if (s_.fifo_len > s_.fifo.size()) s_.fifo_len = 0;
    if (s_.fifo_pos > s_.fifo_len) s_.fifo_pos = s_.fifo_len;
    if (s_.cmd_len > s_.fifo.size()) s_.cmd_len = 0;
    s_.rate &= 3;
    irq_sink_.set_irq(irq_, s_.irq && (s_.dor & kDorDmaGate));
  }
}

uint32_t Floppy::port_read(uint16_t port, unsigned size) {
  return read_bytewise(port, size, [this](uint16_t p) { return read8(p); });
}

void Floppy::port_write(uint16_t port, unsigned size, uint32_t value) {
  write_bytewise(port, size, value, [this](uint16_t p, uint8_t v) { write8(p, v); });
}

uint8_t Floppy::read8(uint16_t port) {
  switch (port & 7) {
    case 2: return s_.dor;
    case 3: return s_.tdr & 3;
    case 4: return msr();
    case 5: return read_fifo();
    case 7: return s_.drives[s_.dor & 3].disk_changed ? 0x80 : 0x00;  // DIR: bits 6-0 are the IDE's
    default: return 0xff;  // SRA/SRB exist only in PS/2 modes
  }
}

void Floppy::write8(uint16_t port, uint8_t v) {
  switch (port & 7) {
    case 2: write_dor(v); break;
    case 3: s_.tdr = v & 3; break;
    case 4:  // DSR: data rate and a self-clearing software reset
      s_.dsr = v & 0x7f;
      s_.rate = v & 3;
      if (v & 0x80) {
        controller_reset();
        clock_.arm(reset_timer_, clock_.now_ns() + kResetNs);
      }
      break;
    case 5: write_fifo(v); break;
    case 7: s_.rate = v & 3; break;  // CCR
  }
}

void Floppy::write_dor(uint8_t v) {
  const uint8_t old = s_.dor;
  s_.dor = v;
  if ((old & kDorNotReset) && !(v & kDorNotReset)) controller_reset();
  if (!(old & kDorNotReset) && (v & kDorNotReset)) clock_.arm(reset_timer_, clock_.now_ns() + kResetNs);
  update_irq();
}

// Entering reset: the command in progress, pending interrupts and (unless LOCKed) the FIFO
// configuration are lost; the drives stay where their heads are.
void Floppy::controller_reset() {
  clock_.cancel(exec_timer_);
  clock_.cancel(reset_timer_);
  for (unsigned d = 0; d < seek_timers_.size(); d++) {
    clock_.cancel(seek_timers_[d]);
    s_.drives[d].seeking = false;
  }
  s_.phase = Phase::Command;
  s_.fifo_len = s_.fifo_pos = s_.cmd_len = 0;
  s_.sense_pending = 0;
  s_.perpendicular = 0;
  if (!s_.locked) {
    s_.config = 0x20;
    s_.pretrk = 0;
  }
  set_irq(false);
}

// Leaving reset with drive polling enabled, the controller reports a ready-line change for each
// of the four drive selects: one interrupt, four SENSE INTERRUPT STATUS results C0h-C3h.
void Floppy::reset_done() {
  if (!(s_.dor & kDorNotReset) || (s_.config & kCfgNoPoll)) return;
  s_.sense_pending = 0x0f;
  for (unsigned d = 0; d < 4; d++) s_.sense_st0[d] = uint8_t(0xc0 | d);
  set_irq(true);
}

uint8_t Floppy::msr() const {
  if (!(s_.dor & kDorNotReset)) return 0;
  uint8_t m = 0;
  for (unsigned d = 0; d < 4; d++)
    if (s_.drives[d].seeking) m |= uint8_t(1 << d);
  switch (s_.phase) {
    case Phase::Command: return uint8_t(m | kMsrRqm | (s_.fifo_len ? kMsrBusy : 0));
    case Phase::Execution: return uint8_t(m | kMsrBusy);
    case Phase::Result: return uint8_t(m | kMsrRqm | kMsrDio | kMsrBusy);
  }
  return m;
}

void Floppy::set_irq(bool on) {
  s_.irq = on;
  update_irq();
}

void Floppy::update_irq() { irq_sink_.set_irq(irq_, s_.irq && (s_.dor & kDorDmaGate)); }

void Floppy::set_result(std::initializer_list<uint8_t> bytes) {
  s_.fifo_len = 0;
  for (uint8_t b : bytes)
    if (s_.fifo_len < s_.fifo.size()) s_.fifo[s_.fifo_len++] = b;
  s_.fifo_pos = 0;
  s_.phase = Phase::Result;
}

uint8_t Floppy::read_fifo() {
  if (!(s_.dor & kDorNotReset) || s_.phase != Phase::Result || s_.fifo_pos >= s_.fifo_len) return 0;
  if (s_.fifo_pos == 0) set_irq(false);  // reading the first result byte clears the interrupt
  const uint8_t v = s_.fifo[s_.fifo_pos++];
  if (s_.fifo_pos >= s_.fifo_len) {
    s_.phase = Phase::Command;
    s_.fifo_len = s_.fifo_pos = 0;
  }
  return v;
}

void Floppy::write_fifo(uint8_t v) {
  if (!(s_.dor & kDorNotReset) || s_.phase != Phase::Command) return;
  if (s_.fifo_len == 0) {
    const uint8_t len = kCommandLength[v & 0x1f];
    if (!len) {
      set_result({kSt0Invalid});
      return;
    }
    s_.cmd_len = len;
  }
  if (s_.fifo_len < s_.fifo.size()) s_.fifo[s_.fifo_len++] = v;
  if (s_.fifo_len >= s_.cmd_len) start_command();
}

uint8_t Floppy::st3(unsigned drive, unsigned head) const {
  const Drive* m = medium(drive);
  uint8_t v = uint8_t(0x20 | head << 2 | drive);  // RDY is tied active on the 82077AA
  if (s_.drives[drive].pcn == 0) v |= 0x10;
  if (drive < kDrives) v |= 0x08;                 // double-sided drive
  if (m && !m->image->writable()) v |= 0x40;
  return v;
}

void Floppy::start_command() {
  const auto& f = s_.fifo;
  const unsigned drive = f[1] & 3, head = (f[1] >> 2) & 1;
  s_.fifo_len = 0;
  switch (f[0] & 0x1f) {
    case kSpecify:
      s_.srt_hut = f[1];
      s_.hlt_nd = f[2];
      return;
    case kSenseDrive: return set_result({st3(drive, head)});
    case kSenseInt: {
      for (unsigned d = 0; d < 4; d++) {
        if (!(s_.sense_pending >> d & 1)) continue;
        s_.sense_pending = uint8_t(s_.sense_pending & ~(1u << d));
        set_irq(false);
        return set_result({s_.sense_st0[d], s_.drives[d].pcn});
      }
      return set_result({kSt0Invalid});
    }
    case kRecalibrate:
    case kSeek: {
      DriveState& ds = s_.drives[drive];
      const bool recal = (f[0] & 0x1f) == kRecalibrate;
      unsigned target = recal ? 0 : f[2];
      if (!recal && (f[0] & 0x80)) {  // relative seek: bit 6 says outward (towards higher cylinders)
        target = (f[0] & 0x40) ? std::min(255u, ds.pcn + target) : (ds.pcn > target ? ds.pcn - target : 0u);
      }
      ds.seek_target = uint8_t(target);
      ds.seek_st0 = uint8_t(kSt0SeekEnd | (recal ? 0 : head << 2) | drive);
      // A recalibrate on an empty bay never sees track 0.
      if (recal && drive >= kDrives) ds.seek_st0 = uint8_t(kSt0Abnormal | kSt0SeekEnd | kSt0EquipCheck | drive);
      ds.seeking = true;
      const unsigned steps = target > ds.pcn ? target - ds.pcn : ds.pcn - target;
      clock_.arm(seek_timers_[drive], clock_.now_ns() + kSeekNs + steps * kStepNs);
      return;
    }
    case kReadData:
    case kWriteData:
    case kReadId:
    case kFormat:
      s_.phase = Phase::Execution;
      clock_.arm(exec_timer_, clock_.now_ns() + kExecNs);
      return;
    case kVersion: return set_result({0x90});
    case kConfigure:
      s_.config = f[2];
      s_.pretrk = f[3];
      return;
    case kPerpendicular:
      s_.perpendicular = f[1];
      return;
    case kLock:
      s_.locked = f[0] >> 7;
      return set_result({uint8_t(s_.locked << 4)});
    case kDumpReg:
      return set_result({s_.drives[0].pcn, s_.drives[1].pcn, s_.drives[2].pcn, s_.drives[3].pcn, s_.srt_hut,
                         s_.hlt_nd, s_.eot, uint8_t(s_.locked << 7 | (s_.perpendicular & 0x3f)), s_.config,
                         s_.pretrk});
  }
}

void Floppy::seek_done(unsigned drive) {
  DriveState& ds = s_.drives[drive];
  if (!ds.seeking) return;
  ds.seeking = false;
  if (drive < kDrives || !(ds.seek_st0 & kSt0Abnormal)) ds.pcn = ds.seek_target;
  if (medium(drive)) ds.disk_changed = false;  // the step pulse clears the change line
  s_.sense_st0[drive] = ds.seek_st0;
  s_.sense_pending |= uint8_t(1 << drive);
  set_irq(true);
}

const Floppy::Drive* Floppy::medium(unsigned drive) const {
  return drive < kDrives && media_[drive].image ? &media_[drive] : nullptr;
}

bool Floppy::rate_ok(unsigned drive) const {
  const FloppyGeometry& g = media_[drive].geo;
  return s_.rate == g.rate || (g.rate == 1 && s_.rate == 2);  // 360K: 300 or 250 kbit/s
}

void Floppy::execute() {
  switch (s_.fifo[0] & 0x1f) {
    case kReadData: return do_read_write(false);
    case kWriteData: return do_read_write(true);
    case kReadId: return do_read_id();
    case kFormat: return do_format();
  }
}

void Floppy::finish_rw(uint8_t st0, uint8_t st1, uint8_t st2, uint8_t c, uint8_t h, uint8_t r, uint8_t n) {
  set_result({st0, st1, st2, c, h, r, n});
  set_irq(true);
}

// READ DATA / WRITE DATA: sectors R..EOT of the track under the head (both sides with MT), until
// the DMA controller signals terminal count. The ID fields must match C/H/R/N as on a real disk:
// the cylinder is where the head is (SEEK first, or enable implied seeks with CONFIGURE).
void Floppy::do_read_write(bool write) {
  const auto& f = s_.fifo;
  const bool mt = f[0] & kCmdMT;
  const unsigned drive = f[1] & 3, hds = (f[1] >> 2) & 1;  // ST0 reports the head selected
  unsigned head = hds;
  uint8_t c = f[2], h = f[3], r = f[4];
  const uint8_t n = f[5], eot = f[6];
  s_.eot = eot;
  const Drive* m = medium(drive);
  DriveState& ds = s_.drives[drive];
  auto fail = [&](uint8_t st1, uint8_t st2) {
    finish_rw(uint8_t(kSt0Abnormal | st0_for(drive, hds)), st1, st2, c, h, r, n);
  };
  if (!m || !rate_ok(drive) || !(f[0] & kCmdMFM)) return fail(kSt1MissingAm, 0);
  if (write && !m->image->writable()) return fail(kSt1NotWritable, 0);
  // Non-DMA transfers are not modelled; without the DMA gate the FIFO overruns.
  if ((s_.hlt_nd & 1) || !(s_.dor & kDorDmaGate)) return fail(kSt1Overrun, 0);
  if (s_.config & kCfgEis) {
    ds.pcn = c;
    ds.disk_changed = false;
  }
  const FloppyGeometry& g = m->geo;
  std::array<uint8_t, kSectorBytes> buf{};
  // R runs from its start to EOT at most once per side: bounded by 2 x 256 sectors.
  for (unsigned guard = 0; guard < 512; guard++) {
    const bool found = ds.pcn < g.cylinders && head < g.heads && c == ds.pcn && h == head && r >= 1 &&
                       r <= g.sectors && n == kSectorSizeCode;
    if (!found) return fail(kSt1NoData, c == ds.pcn ? 0 : uint8_t(kSt2WrongCyl | (c == 0xff ? kSt2BadCyl : 0)));
    const uint64_t offset = ((uint64_t(ds.pcn) * g.heads + head) * g.sectors + (r - 1u)) * kSectorBytes;
    Dma8237::Result x;
    if (write) {
      buf.fill(0);  // a sector cut short by terminal count is padded with zeros
      x = dma_.transfer(dma_channel_, buf);
      if (x.bytes == 0 && !x.tc) return fail(kSt1Overrun, 0);
      if (!m->image->write(offset, buf.data(), buf.size())) return fail(kSt1DataError, 0);
    } else {
      if (!m->image->read(offset, buf.data(), buf.size())) return fail(kSt1DataError, 0x20);
      x = dma_.transfer(dma_channel_, buf);
      if (x.bytes < buf.size() && !x.tc) return fail(kSt1Overrun, 0);
    }
    // The next sector's ID, as the result phase reports it.
    bool end_of_cyl = false;
    if (r != eot) {
      r++;
    } else if (mt && head == 0) {
      head = 1;
      h ^= 1;
      r = 1;
    } else {  // last sector of the cylinder: with MT the head number wraps back to 0
      if (mt) h ^= 1;
      c++;
      r = 1;
      end_of_cyl = true;
    }
    if (x.tc) return finish_rw(st0_for(drive, hds), 0, 0, c, h, r, n);
    if (end_of_cyl) return finish_rw(uint8_t(kSt0Abnormal | st0_for(drive, hds)), kSt1EndOfCyl, 0, c, h, r, n);
  }
  fail(kSt1NoData, 0);
}

// READ ID: the first ID field the head meets; sector 1, as the index hole has just passed.
void Floppy::do_read_id() {
  const unsigned drive = s_.fifo[1] & 3, head = (s_.fifo[1] >> 2) & 1;
  const Drive* m = medium(drive);
  const uint8_t pcn = s_.drives[drive].pcn;
  if (!m || !rate_ok(drive) || !(s_.fifo[0] & kCmdMFM) || pcn >= m->geo.cylinders || head >= m->geo.heads)
    return finish_rw(uint8_t(kSt0Abnormal | st0_for(drive, head)), kSt1MissingAm, 0, pcn, uint8_t(head), 1,
                     kSectorSizeCode);
  finish_rw(st0_for(drive, head), 0, 0, pcn, uint8_t(head), 1, kSectorSizeCode);
}

// FORMAT TRACK: takes one C/H/R/N ID per sector by DMA and fills each 512-byte sector the image
// can hold with the filler byte. IDs the image cannot represent are accepted and dropped.
void Floppy::do_format() {
  const auto& f = s_.fifo;
  const unsigned drive = f[1] & 3, head = (f[1] >> 2) & 1;
  const uint8_t n = f[2], sectors = f[3], filler = f[5];
  const Drive* m = medium(drive);
  const uint8_t pcn = s_.drives[drive].pcn;
  std::array<uint8_t, 4> id{pcn, uint8_t(head), 1, n};
  auto fail = [&](uint8_t st1) {
    finish_rw(uint8_t(kSt0Abnormal | st0_for(drive, head)), st1, 0, id[0], id[1], id[2], id[3]);
  };
  if (!m || !rate_ok(drive) || !(f[0] & kCmdMFM)) return fail(kSt1MissingAm);
  if (!m->image->writable()) return fail(kSt1NotWritable);
  if ((s_.hlt_nd & 1) || !(s_.dor & kDorDmaGate)) return fail(kSt1Overrun);
  const FloppyGeometry& g = m->geo;
  std::array<uint8_t, kSectorBytes> fill;
  fill.fill(filler);
  for (unsigned i = 0; i < sectors; i++) {
    const Dma8237::Result x = dma_.transfer(dma_channel_, id);
    if (x.bytes < id.size()) return fail(kSt1Overrun);
    const uint8_t r = id[2];
    if (id[3] == kSectorSizeCode && n == kSectorSizeCode && r >= 1 && r <= g.sectors && pcn < g.cylinders &&
        head < g.heads) {
      const uint64_t offset = ((uint64_t(pcn) * g.heads + head) * g.sectors + (r - 1u)) * kSectorBytes;
      if (!m->image->write(offset, fill.data(), fill.size())) return fail(kSt1DataError);
    }
    if (x.tc) break;
  }
  finish_rw(st0_for(drive, head), 0, 0, id[0], id[1], id[2], id[3]);
}

}  // namespace devices
