from mcp_highlight.cli import main

raise SystemExit(main())
