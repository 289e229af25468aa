"""The figures the PBX adds to call_logging's call statistics (see call_logging/models/call_statistics/)."""
