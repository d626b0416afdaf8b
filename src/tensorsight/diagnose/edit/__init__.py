"""The code editor every stage uses: libcst edits in the user's style (edits), where in the history
a fix belongs (origin), which constructor argument is which size (layer_args), the file read and
written back byte for byte (source_file)."""
