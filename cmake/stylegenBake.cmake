# stylegenBake.cmake - stylegen_bake(): bake textures from a manifest as a build step.
#
#   find_package(stylegen REQUIRED)
#   add_executable(game main.c)
#   stylegen_bake(game
#     MANIFEST textures.json                           # relative to CMAKE_CURRENT_SOURCE_DIR
#     OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/assets    # relative to CMAKE_CURRENT_BINARY_DIR
#     [JOBS N]                                         # stylegen bake --jobs (default 0: one per hardware thread)
#     [MODEL_DIRS dir...])                             # more folders for models given by bare name
#
# Runs `stylegen bake MANIFEST -o OUTPUT_DIR` (docs/bake.md) before <target>
# builds. The step depends on the manifest and on every model file it names,
# so editing the manifest or replacing a model bakes again and nothing else
# does; the bake itself then regenerates only the entries whose inputs changed.
# Deleting OUTPUT_DIR also bakes again (the step's stamp lives there).
#
# The models are read from the manifest when CMake configures, and the
# manifest is a configure dependency, so editing it re-reads them. Model
# values resolve as the bake resolves them: relative to the manifest's folder,
# or a bare name ("characters") in MODEL_DIRS, then STYLEGEN_MODELS_DIR.
# A manifest CMake cannot read is left to the bake to report, with the
# entry and field at fault.
if(CMAKE_VERSION VERSION_LESS 3.19)
  message(FATAL_ERROR "stylegen_bake() needs CMake 3.19 or newer (string(JSON))")
endif()

# The model file `value` names, as `stylegen bake` finds it; "" if none exists.
function(_stylegen_find_model out value manifest_dir model_dirs)
  set(${out} "" PARENT_SCOPE)
  if(IS_ABSOLUTE "${value}")
    set(candidates "${value}")
  else()
    set(candidates "${manifest_dir}/${value}")
    if(NOT EXISTS "${manifest_dir}/${value}" AND NOT value MATCHES "/")
      foreach(dir IN LISTS model_dirs)
        list(APPEND candidates "${dir}/${value}" "${dir}/${value}.sgm")
      endforeach()
    endif()
  endif()
  foreach(candidate IN LISTS candidates)
    if(EXISTS "${candidate}" AND NOT IS_DIRECTORY "${candidate}")
      set(${out} "${candidate}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# The model values of a manifest: the top-level "model" and each entry's.
function(_stylegen_manifest_models out manifest model_dirs)
  file(READ "${manifest}" text)
  get_filename_component(manifest_dir "${manifest}" DIRECTORY)
  set(values "")
  string(JSON value ERROR_VARIABLE error GET "${text}" model)
  if(NOT error)
    list(APPEND values "${value}")
  endif()
  string(JSON count ERROR_VARIABLE error LENGTH "${text}" entries)
  if(NOT error AND count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON value ERROR_VARIABLE error GET "${text}" entries ${i} model)
      if(NOT error)
        list(APPEND values "${value}")
      endif()
    endforeach()
  endif()
  set(models "")
  foreach(value IN LISTS values)
    _stylegen_find_model(model "${value}" "${manifest_dir}" "${model_dirs}")
    if(model)
      list(APPEND models "${model}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES models)
  set(${out} "${models}" PARENT_SCOPE)
endfunction()

function(stylegen_bake target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MANIFEST;OUTPUT_DIR;JOBS" "MODEL_DIRS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "stylegen_bake: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "stylegen_bake: ${target} is not a target")
  endif()
  if(NOT arg_MANIFEST OR NOT arg_OUTPUT_DIR)
    message(FATAL_ERROR "stylegen_bake: give MANIFEST and OUTPUT_DIR")
  endif()
  if(NOT TARGET stylegen::cli)
    message(FATAL_ERROR "stylegen_bake: the stylegen::cli target is missing (find_package(stylegen) first)")
  endif()
  if(NOT DEFINED arg_JOBS)
    set(arg_JOBS 0)
  endif()
  get_filename_component(manifest "${arg_MANIFEST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(output "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  if(NOT EXISTS "${manifest}")
    message(FATAL_ERROR "stylegen_bake: manifest ${manifest} does not exist")
  endif()

  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${manifest}")
  set(model_dirs ${arg_MODEL_DIRS} ${STYLEGEN_MODELS_DIR})
  _stylegen_manifest_models(models "${manifest}" "${model_dirs}")
  set(model_dir_args "")
  foreach(dir IN LISTS model_dirs)
    list(APPEND model_dir_args --model-dir "${dir}")
  endforeach()

  # One step per (target, manifest); a second manifest for the same target gets its own.
  get_filename_component(name "${manifest}" NAME_WE)
  string(MAKE_C_IDENTIFIER "${target}_bake_${name}" bake_target)
  set(unique "${bake_target}")
  set(n 1)
  while(TARGET ${unique})
    math(EXPR n "${n} + 1")
    set(unique "${bake_target}_${n}")
  endwhile()

  set(stamp "${output}/.stylegen-bake-stamp")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND stylegen::cli bake "${manifest}" -o "${output}" --jobs ${arg_JOBS} ${model_dir_args}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS "${manifest}" ${models}
    COMMENT "Baking textures: ${arg_MANIFEST} -> ${output}"
    VERBATIM)
  add_custom_target(${unique} DEPENDS "${stamp}")
  add_dependencies(${target} ${unique})
endfunction()
