"""A generated corpus of realistic village documents (Perdes RKPDes, APBDes, LPPDes) with the truth of each.

`build.build(folder)` writes text PDFs (fpdf2), DOCX (python-docx), clean scans and phone photos (`degrade`) from the
templates in `templates/`; tests/test_reading_corpus.py and benchmarks/reading.py read them and score the reader.
"""
