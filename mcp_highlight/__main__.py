from mcp_highlight.fronts.cli import main

raise SystemExit(main())
