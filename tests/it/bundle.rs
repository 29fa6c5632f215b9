// bundle tests come here
