//===- WeightsPack.cpp - the model's weights as one file or object --------===//
#include "codegen/cpu/WeightsPack.h"
#include "lib/support/ConstantData.h"
#include "crc32c.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace llvm;

namespace strata {

Expected<WeightsPack> readWeightsPack(ModuleOp module) {
  WeightsPack pack;
  auto record = module->getAttrOfType<DictionaryAttr>(kWeightsAttr);
  if (!record)
    return pack;
  auto bytes = record.getAs<IntegerAttr>("bytes");
  auto segments = record.getAs<ArrayAttr>("segments");
  if (!bytes || !segments)
    return createStringError("malformed '%s' record", kWeightsAttr);
  pack.bytes = bytes.getInt();
  uint64_t end = 0;
  for (Attribute entry : segments) {
    auto pair = dyn_cast<ArrayAttr>(entry);
    auto offset = pair && pair.size() == 2
                      ? dyn_cast<IntegerAttr>(pair[0])
                      : IntegerAttr();
    auto elements =
        offset ? dyn_cast<ElementsAttr>(pair[1]) : ElementsAttr();
    std::optional<ArrayRef<char>> data =
        elements ? rawConstantData(elements) : std::nullopt;
    if (!data || offset.getInt() < static_cast<int64_t>(end) ||
        offset.getInt() + data->size() > pack.bytes)
      return createStringError("malformed or unreadable segment in '%s'",
                               kWeightsAttr);
    pack.segments.push_back({static_cast<uint64_t>(offset.getInt()), *data});
    end = offset.getInt() + data->size();
  }
  return pack;
}

namespace {

/// Writes `pack` to `os` from its start, feeding every byte to `crc`.
void writePackBytes(raw_ostream &os, const WeightsPack &pack, uint32_t &crc) {
  static const char zeros[kWeightsAlignment] = {};
  uint64_t at = 0;
  auto pad = [&](uint64_t to) {
    while (at < to) {
      size_t n = std::min<uint64_t>(to - at, sizeof zeros);
      os.write(zeros, n);
      crc = strata_crc32c_update(crc, zeros, n);
      at += n;
    }
  };
  for (const WeightsPack::Segment &segment : pack.segments) {
    pad(segment.offset);
    os.write(segment.data.data(), segment.data.size());
    crc = strata_crc32c_update(crc, segment.data.data(), segment.data.size());
    at += segment.data.size();
  }
  pad(pack.bytes);
}

Error closeChecked(raw_fd_ostream &os, StringRef path) {
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write '%s': %s",
                             path.str().c_str(),
                             os.error().message().c_str());
  return Error::success();
}

template <typename T> void writeStruct(raw_ostream &os, const T &value) {
  os.write(reinterpret_cast<const char *>(&value), sizeof value);
}

} // namespace

Expected<uint32_t> writeWeightsFile(StringRef path, const WeightsPack &pack) {
  std::error_code error;
  raw_fd_ostream os(path, error);
  if (error)
    return createStringError(error, "cannot write '%s': %s",
                             path.str().c_str(), error.message().c_str());
  uint32_t crc = ~0u;
  writePackBytes(os, pack, crc);
  if (Error closeError = closeChecked(os, path))
    return std::move(closeError);
  return ~crc;
}

uint32_t weightsCrc32c(const WeightsPack &pack) {
  raw_null_ostream os;
  uint32_t crc = ~0u;
  writePackBytes(os, pack, crc);
  return ~crc;
}

Error writeWeightsObject(StringRef path, const WeightsPack &pack,
                         StringRef symbol, const Triple &triple) {
  uint16_t machine;
  if (triple.getArch() == Triple::x86_64)
    machine = ELF::EM_X86_64;
  else if (triple.getArch() == Triple::aarch64)
    machine = ELF::EM_AARCH64;
  else
    return createStringError("no weights object writer for '%s'",
                             triple.str().c_str());

  // Sections: null, the data, .note.GNU-stack (no executable stack),
  // .symtab, .strtab, .shstrtab. The data follows the ELF header.
  enum { Data = 1, Note, Symtab, Strtab, Shstrtab, NumSections };
  const char dataName[] = ".rodata.strata_weights";
  std::string shstrtab = std::string("\0", 1) + dataName + '\0' +
                         ".note.GNU-stack" + '\0' + ".symtab" + '\0' +
                         ".strtab" + '\0' + ".shstrtab" + '\0';
  std::string strtab = std::string("\0", 1) + symbol.str() + '\0';
  auto nameAt = [&](StringRef name) {
    return static_cast<uint32_t>(shstrtab.find(name.str() + '\0'));
  };

  uint64_t dataAt = kWeightsAlignment;
  uint64_t symtabAt = alignTo(dataAt + pack.bytes, 8);
  uint64_t strtabAt = symtabAt + 2 * sizeof(ELF::Elf64_Sym);
  uint64_t shstrtabAt = strtabAt + strtab.size();
  uint64_t headersAt = alignTo(shstrtabAt + shstrtab.size(), 8);

  ELF::Elf64_Ehdr header;
  std::memset(&header, 0, sizeof header);
  std::memcpy(header.e_ident, ELF::ElfMagic, 4);
  header.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  header.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  header.e_ident[ELF::EI_VERSION] = ELF::EV_CURRENT;
  header.e_type = ELF::ET_REL;
  header.e_machine = machine;
  header.e_version = ELF::EV_CURRENT;
  header.e_shoff = headersAt;
  header.e_ehsize = sizeof(ELF::Elf64_Ehdr);
  header.e_shentsize = sizeof(ELF::Elf64_Shdr);
  header.e_shnum = NumSections;
  header.e_shstrndx = Shstrtab;

  ELF::Elf64_Sym symbols[2];
  std::memset(symbols, 0, sizeof symbols);
  symbols[1].st_name = 1;
  symbols[1].setBindingAndType(ELF::STB_GLOBAL, ELF::STT_OBJECT);
  symbols[1].st_other = ELF::STV_HIDDEN;
  symbols[1].st_shndx = Data;
  symbols[1].st_size = pack.bytes;

  ELF::Elf64_Shdr sections[NumSections];
  std::memset(sections, 0, sizeof sections);
  auto section = [&](unsigned index, StringRef name, uint32_t type,
                     uint64_t flags, uint64_t offset, uint64_t size,
                     uint64_t align) -> ELF::Elf64_Shdr & {
    ELF::Elf64_Shdr &s = sections[index];
    s.sh_name = nameAt(name);
    s.sh_type = type;
    s.sh_flags = flags;
    s.sh_offset = offset;
    s.sh_size = size;
    s.sh_addralign = align;
    return s;
  };
  section(Data, dataName, ELF::SHT_PROGBITS, ELF::SHF_ALLOC, dataAt,
          pack.bytes, kWeightsAlignment);
  section(Note, ".note.GNU-stack", ELF::SHT_PROGBITS, 0, dataAt, 0, 1);
  ELF::Elf64_Shdr &symtab = section(Symtab, ".symtab", ELF::SHT_SYMTAB, 0,
                                    symtabAt, sizeof symbols, 8);
  symtab.sh_link = Strtab;
  symtab.sh_info = 1; // the first global symbol
  symtab.sh_entsize = sizeof(ELF::Elf64_Sym);
  section(Strtab, ".strtab", ELF::SHT_STRTAB, 0, strtabAt, strtab.size(), 1);
  section(Shstrtab, ".shstrtab", ELF::SHT_STRTAB, 0, shstrtabAt,
          shstrtab.size(), 1);

  std::error_code error;
  raw_fd_ostream os(path, error);
  if (error)
    return createStringError(error, "cannot write '%s': %s",
                             path.str().c_str(), error.message().c_str());
  auto padTo = [&](uint64_t offset) {
    while (os.tell() < offset)
      os << '\0';
  };
  writeStruct(os, header);
  padTo(dataAt);
  uint32_t crc = ~0u;
  writePackBytes(os, pack, crc);
  padTo(symtabAt);
  writeStruct(os, symbols);
  os << strtab << shstrtab;
  padTo(headersAt);
  writeStruct(os, sections);
  return closeChecked(os, path);
}

} // namespace strata
