"""The archive of media seen before, and finding a tip in it.

- store.py: where the index lives; fingerprinting a file; adding one (the entry points)
- hashing.py: a picture's fingerprint (pHash, PDQ, keypoints) and the views a lookup tries
- subpictures.py: the picture regions inside a screenshot, a collage or a photo of a screen
- keypoints.py: the geometric check that confirms a candidate match
- keyframes.py: the frames of a clip that stand for it
- index.py: the SQLite index; hamming.py: its multi-index Hamming search
- hashlist.py: hash lists exchanged with other newsrooms
"""
