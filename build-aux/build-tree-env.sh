# Sourced with BUILD_DIR set: the environment in which the programs run from
# the build tree, before or without `meson install`. run.sh and the tests
# that run the build tree's programs share it.

# The settings schema is compiled in the build tree, the helper that runs
# the image decoders is built there, and so are the translations (po/ holds
# <lang>/LC_MESSAGES/contact-sheet.mo, as the prefix's locale folder does).
# Absolute: the decoder helper binds its translations from the same
# variable, and a relative folder would not be found from where it runs.
build_tree=$(cd "$BUILD_DIR" && pwd)
export GSETTINGS_SCHEMA_DIR=$build_tree/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}
export CONTACT_SHEET_DECODER=$build_tree/src/decoder/contact-sheet-decoder
export CONTACT_SHEET_LOCALEDIR=$build_tree/po
