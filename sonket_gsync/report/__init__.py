"""The report: the draft .docx, its body and appendices, charts, the aggregated workbook, the links sheet. Records in, bytes out."""
