// make_fuzz_seeds.cpp - writes the generated seed inputs of every target
// (fuzz_targets.hpp) into OUT/<target>/; scripts/fuzz.sh adds the seeds kept
// in the source tree.
//
//   stylegen_fuzz_seeds OUT MODELS_DIR
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "fuzz_targets.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s OUT MODELS_DIR\n", argv[0]);
        return 2;
    }
    const std::string out = argv[1];
    ::mkdir(out.c_str(), 0777);
    for (const sgfuzz::Target& target : sgfuzz::targets()) {
        const std::string dir = out + "/" + target.name;
        ::mkdir(dir.c_str(), 0777);
        for (const auto& [name, bytes] : sgfuzz::generatedSeeds(target.name, argv[2])) {
            std::ofstream file(dir + "/" + name, std::ios::binary);
            file.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
            if (!file.flush()) {
                std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), name.c_str());
                return 1;
            }
        }
    }
    return 0;
}
