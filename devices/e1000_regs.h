// Register offsets and bits of the Intel 82540EM (8254x Software Developer's Manual, §13 "Register
// Descriptions", table 13-2), and the descriptor layouts of §3.2 (receive) and §3.3 (transmit).
#pragma once

#include <cstdint>

namespace devices::e1000 {

// Byte offsets in the 128 KiB register window (BAR0).
constexpr uint32_t kCtrl = 0x0000, kStatus = 0x0008, kEecd = 0x0010, kEerd = 0x0014,
                   kCtrlExt = 0x0018;
constexpr uint32_t kMdic = 0x0020, kIcr = 0x00c0, kItr = 0x00c4, kIcs = 0x00c8, kIms = 0x00d0,
                   kImc = 0x00d8;
constexpr uint32_t kRctl = 0x0100, kTctl = 0x0400, kPba = 0x1000;
constexpr uint32_t kRdbal = 0x2800, kRdbah = 0x2804, kRdlen = 0x2808, kRdh = 0x2810, kRdt = 0x2818;
constexpr uint32_t kTdbal = 0x3800, kTdbah = 0x3804, kTdlen = 0x3808, kTdh = 0x3810, kTdt = 0x3818;
constexpr uint32_t kMta = 0x5200, kRal0 = 0x5400, kRah0 = 0x5404;
constexpr uint32_t kStatsFirst = 0x4000, kStatsLast = 0x40fc;  // clear on read (§13.7)
constexpr uint32_t kGprc = 0x4074, kBprc = 0x4078, kMprc = 0x407c, kGptc = 0x4080;
constexpr uint32_t kGorcl = 0x4088, kGotcl = 0x4090, kTorl = 0x40c0, kTotl = 0x40c8;
constexpr uint32_t kTpr = 0x40d0, kTpt = 0x40d4, kRnbc = 0x40a0;
constexpr uint32_t kMmioSize = 0x20000, kIoSize = 0x40;

// CTRL (§13.4.1).
constexpr uint32_t kCtrlSlu = 1u << 6, kCtrlRst = 1u << 26, kCtrlPhyRst = 1u << 31;
// STATUS (§13.4.2): full duplex, link up, 1000 Mb/s, auto-detected speed 1000.
constexpr uint32_t kStatusFd = 1u << 0, kStatusLu = 1u << 1, kStatusSpeed1000 = 2u << 6;
constexpr uint32_t kStatusAsdv1000 = 2u << 8;
// EERD (§13.4.4): start, done, address in 15:8, data in 31:16.
constexpr uint32_t kEerdStart = 1u << 0, kEerdDone = 1u << 4;
// MDIC (§13.4.7).
constexpr uint32_t kMdicOpWrite = 1u << 26, kMdicOpRead = 2u << 26, kMdicReady = 1u << 28;
constexpr uint32_t kMdicIe = 1u << 29, kMdicError = 1u << 30;
// Interrupt causes (ICR, §13.4.17).
constexpr uint32_t kIntTxdw = 1u << 0, kIntTxqe = 1u << 1, kIntLsc = 1u << 2, kIntRxdmt0 = 1u << 4;
constexpr uint32_t kIntRxo = 1u << 6, kIntRxt0 = 1u << 7, kIntMdac = 1u << 9;
constexpr uint32_t kIntAll = 0x0001f6df;  // the causes an 82540EM has
// RCTL (§13.4.22).
constexpr uint32_t kRctlEn = 1u << 1, kRctlSbp = 1u << 2, kRctlUpe = 1u << 3, kRctlMpe = 1u << 4;
constexpr uint32_t kRctlLpe = 1u << 5, kRctlBam = 1u << 15, kRctlBsex = 1u << 25,
                   kRctlSecrc = 1u << 26;
constexpr unsigned kRctlRdmtsShift = 8, kRctlMoShift = 12, kRctlBsizeShift = 16;
// TCTL (§13.4.33).
constexpr uint32_t kTctlEn = 1u << 1;
// RAH: address valid.
constexpr uint32_t kRahAv = 1u << 31;

// Receive descriptor (§3.2.3): buffer address, length, checksum, status, errors, special.
constexpr unsigned kDescBytes = 16;
constexpr uint8_t kRxDd = 1u << 0, kRxEop = 1u << 1, kRxIxsm = 1u << 2;
constexpr uint8_t kRxErrRxe = 1u << 7;
// Transmit descriptors (§3.3): the command byte of a legacy descriptor and the DCMD/TUCMD byte
// of the extended ones share EOP/IFCS/RS/DEXT/IDE positions; DTYP in bits 23:20 of the third dword.
constexpr uint8_t kTxEop = 1u << 0, kTxIfcs = 1u << 1, kTxIc = 1u << 2, kTxRs = 1u << 3;
constexpr uint8_t kTxTse = 1u << 2, kTxDext = 1u << 5;
constexpr uint8_t kTxDd = 1u << 0;
constexpr unsigned kDtypContext = 0, kDtypData = 1;
// TUCMD of a context descriptor: TCP (else UDP), IP (IPv4, else IPv6), TSE.
constexpr uint8_t kTucmdTcp = 1u << 0, kTucmdIp = 1u << 1, kTucmdTse = 1u << 2;
// POPTS of a data descriptor: insert the IP checksum, insert the TCP/UDP checksum.
constexpr uint8_t kPoptsIxsm = 1u << 0, kPoptsTxsm = 1u << 1;

}  // namespace devices::e1000
