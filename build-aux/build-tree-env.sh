# Sourced with BUILD_DIR set: the environment in which the programs run from
# the build tree, before or without `meson install`. run.sh and the tests
# that run the build tree's programs share it.

# The settings schema is compiled in the build tree, the helper that runs
# the image decoders is built there, and so are the translations (po/ holds
# <lang>/LC_MESSAGES/contact-sheet.mo, as the prefix's locale folder does).
export GSETTINGS_SCHEMA_DIR=$BUILD_DIR/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}
export CONTACT_SHEET_DECODER=$BUILD_DIR/src/decoder/contact-sheet-decoder
export CONTACT_SHEET_LOCALEDIR=$BUILD_DIR/po
