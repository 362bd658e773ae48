#!/usr/bin/env bash
# main.sh - set up, build, then generate contact sheets from the bundled
# default models into out/: fantasy-race character sprites and tileable
# terrain textures, one row per style.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

models=(models/characters.sgm models/terrain.sgm)
for model in "${models[@]}"; do
  if [[ ! -f "$model" ]]; then
    echo "main: missing model file $model" >&2
    echo "main: the default models are made by the trainer (tools/train) and committed to models/" >&2
    exit 1
  fi
done

bash scripts/setup.sh
# Only what the main job runs: the CLI and the library (the trainer's LibTorch
# build is the slow part and is not needed to generate).
bash scripts/build.sh stylegen_cli

mkdir -p out
stylegen=build/tools/cli/stylegen
"$stylegen" generate models/characters.sgm --all-styles --count 8 --scale 2 --psi 0.8 \
  --sheet out/characters.png
"$stylegen" generate models/terrain.sgm --all-styles --count 4 --size 128x128 --tile 2x2 \
  --sheet out/terrain.png
