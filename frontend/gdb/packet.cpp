#include "frontend/gdb/packet.h"

#include <fmt/format.h>

namespace frontend::gdb {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void PacketReader::feed(std::string_view bytes, std::vector<Received>& out) {
  for (const char c : bytes) {
    switch (state_) {
      case State::Idle:
        if (c == '$') {
          state_ = State::Body;
          body_.clear();
          sum_ = 0;
          too_long_ = false;
        } else if (c == '\x03') {
          out.push_back({Received::Kind::Interrupt, {}});
        } else if (c == '+') {
          out.push_back({Received::Kind::Ack, {}});
        } else if (c == '-') {
          out.push_back({Received::Kind::Nack, {}});
        }
        break;
      case State::Body:
        if (c == '#') {
          state_ = State::Sum1;
        } else {
          sum_ = uint8_t(sum_ + uint8_t(c));
          // An overlong packet is read to its end and refused, never buffered whole.
          if (body_.size() < kMaxPacket)
            body_ += c;
          else
            too_long_ = true;
        }
        break;
      case State::Sum1:
        sum_hi_ = hex_digit(c);
        state_ = State::Sum2;
        break;
      case State::Sum2: {
        const int lo = hex_digit(c);
        state_ = State::Idle;
        const bool good =
            sum_hi_ >= 0 && lo >= 0 && uint8_t(sum_hi_ << 4 | lo) == sum_ && !too_long_;
        out.push_back({good ? Received::Kind::Packet : Received::Kind::Corrupt,
                       good ? std::move(body_) : std::string()});
        body_.clear();
        break;
      }
    }
  }
}

std::string frame(std::string_view payload) {
  std::string out = "$";
  uint8_t sum = 0;
  const auto put = [&](char c) {
    out += c;
    sum = uint8_t(sum + uint8_t(c));
  };
  for (const char c : payload) {
    if (c == '#' || c == '$' || c == '}' || c == '*') {
      put('}');
      put(char(c ^ 0x20));
    } else {
      put(c);
    }
  }
  return out + fmt::format("#{:02x}", sum);
}

std::string to_hex(const uint8_t* bytes, size_t len) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; i++) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

std::string to_hex(std::string_view text) {
  return to_hex(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

bool from_hex(std::string_view hex, std::vector<uint8_t>& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(uint8_t(hi << 4 | lo));
  }
  return true;
}

}  // namespace frontend::gdb
