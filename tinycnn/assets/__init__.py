"Data files shipped with tinycnn: the MNIST sample and trained weights."
