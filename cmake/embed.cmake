# Turns a binary file into a C++ source defining `std::vector<uint8_t> NAME()`.
# Usage: cmake -DINPUT=f.bin -DOUTPUT=f.cpp -DNAMESPACE=ns -DNAME=fn -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" len)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT}; do not edit.\n#include <cstdint>\n#include <vector>\nnamespace ${NAMESPACE} {\nstd::vector<uint8_t> ${NAME}() {\n  static const uint8_t data[] = {\n${body}\n  };\n  return std::vector<uint8_t>(data, data + sizeof data);\n}\n}  // namespace ${NAMESPACE}\n")
