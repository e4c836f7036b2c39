"""`mcp-highlight`: make reels from the command line, or serve MCP (stdio by default, or HTTP).

Exit codes: 0 ok, 2 bad input, 1 internal failure, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from pydantic import ValidationError

from mcp_highlight import __version__
from mcp_highlight.backends.models import Cli, EditRequest, ExportRequest
from mcp_highlight.core.errors import BadInputError, HighlightError, shown_value
from mcp_highlight.core.logs import get_logger
from mcp_highlight.fronts.cli_report import print_analysis_summary, print_moments, print_reel, reel_report
from mcp_highlight.fronts.client_setup import CLIENTS, install
from mcp_highlight.fronts.cluster_commands import COMMANDS as CLUSTER_COMMANDS
from mcp_highlight.fronts.cluster_commands import add_cluster_commands, run_cluster_command
from mcp_highlight.fronts.terminal_progress import terminal_progress

if TYPE_CHECKING:  # the heavy parts (engine, MCP server, HTTP) load only for the command that needs them
    from mcp_highlight.core.config import Settings
    from mcp_highlight.service.studio import Studio

log = get_logger(__name__)
NO_COMMAND_NOTICE = (
    "mcp-highlight: no command given and stdin is not a terminal, so this serves MCP on stdin/stdout "
    "(as `mcp-highlight serve`). `mcp-highlight --help` lists the commands."
)


# progress -------------------------------------------------------------------------------------
# the edit flags -------------------------------------------------------------------------------
def add_edit_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per EditRequest field (the one definition of an edit), minus session-only edits."""
    for name, info in EditRequest.model_fields.items():
        cli = next((m for m in info.metadata if isinstance(m, Cli)), Cli())
        if cli.hidden:
            continue
        flags = cli.flags or (f"--{name.replace('_', '-')}",)
        kind = next((a for a in get_args(info.annotation) if a is not type(None)), info.annotation)
        metavar = flags[-1].lstrip("-").upper().replace("-", "_")
        options: dict[str, Any] = {"dest": name, "default": None, "help": info.description, "metavar": metavar}
        if kind is bool:
            del options["metavar"]
            options.update(action="store_const", const=True)
        elif get_origin(kind) is Literal:
            options.update(choices=get_args(kind), metavar=None)
        elif kind in (int, float):
            options["type"] = kind
        elif get_origin(kind) is list:
            options["nargs"] = "+"
        parser.add_argument(*flags, **options)


def edit_from_flags(args: argparse.Namespace) -> EditRequest:
    """The EditRequest the flags describe; a bad value is a BadInputError naming the flag."""
    given = {name: getattr(args, name) for name in EditRequest.model_fields if getattr(args, name, None) is not None}
    try:
        return EditRequest.model_validate(given)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        info = EditRequest.model_fields.get(name)
        cli = next((m for m in info.metadata if isinstance(m, Cli)), Cli()) if info else Cli()
        flag = (cli.flags or (f"--{name.replace('_', '-')}",))[-1]
        raise BadInputError(f"{flag} {shown_value(given.get(name))}: {error['msg']}.") from None


def add_export_flags(parser: argparse.ArgumentParser) -> None:
    """What to write besides the reel (ExportRequest); `--aspect` also takes several shapes, one reel each."""
    fields = ExportRequest.model_fields
    parser.add_argument(
        "--aspect",
        dest="aspect",
        default=None,
        metavar="SHAPE[,SHAPE...]",
        help="16:9 (1920x1080), 9:16 (1080x1920) or 1:1 (1080x1080); several, comma-separated, render one reel "
        "each from the same analysis (the first is -o, the others -o with -9x16 etc. added).",
    )
    parser.add_argument("--clips", dest="clips_dir", metavar="DIR", help=fields["clips"].description.split(",")[0] + ", into DIR.")
    parser.add_argument(
        "--timeline",
        dest="timeline_paths",
        metavar="FILE",
        action="append",
        help="Write the edit as an editor timeline: FILE.otio, FILE.fcpxml (Final Cut Pro, DaVinci Resolve) or "
        "FILE.edl (Premiere, Avid); repeat for several.",
    )


def export_from_flags(args: argparse.Namespace) -> ExportRequest:
    """The export options the flags ask for; `args.aspect` is left holding the reel's own (first) shape."""
    shapes = [a.strip() for a in (args.aspect or "").split(",") if a.strip()]
    try:
        request = ExportRequest(
            aspects=shapes if len(shapes) > 1 else [],  # type: ignore[arg-type]
            clips_dir=args.clips_dir,
            timeline_paths=args.timeline_paths or [],
        )
    except ValidationError:
        raise BadInputError(
            f"--aspect {args.aspect!r}: use 16:9, 9:16 or 1:1, comma-separated for several."
        ) from None
    args.aspect = shapes[0] if shapes else None
    return request


# commands -------------------------------------------------------------------------------------
async def _reel(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    from mcp_highlight.draft.model import Draft
    from mcp_highlight.service.studio import Studio

    export_request = export_from_flags(args)
    request = edit_from_flags(args)
    if request.target_s is None and request.moments is None:
        request.target_s = 60.0
    output = Path(args.output).expanduser().resolve()
    _check_outputs_first(args, output, export_request, request)
    studio = Studio.from_settings(settings)
    try:
        session_id = None
        with terminal_progress("Checking", quiet=args.quiet) as progress:
            for source in args.inputs:
                uploaded = await studio.upload(source, session_id, progress)
                session_id = uploaded.session_id
        assert session_id is not None
        with terminal_progress("Analysing", quiet=args.quiet) as progress:
            outcome = await studio.edit(session_id, request=request, progress=progress)
        assert outcome.edit is not None
        edited = outcome.edit
        with terminal_progress("Rendering", quiet=args.quiet) as progress:
            exported = await studio.export(session_id, progress, output=output, request=export_request)
        draft = Draft.model_validate(edited.draft)
        report = reel_report(exported, edited, session_id, draft)
        if args.preview:
            report.update(await _previews(studio, session_id, output))
        if not args.json and not args.quiet and (sys.stdout.isatty() or sys.stderr.isatty()):
            print_moments(draft)  # for a person watching; piped, the JSON report (--json) carries the moments
        return report
    finally:
        await studio.aclose()


def _check_outputs_first(args: argparse.Namespace, output: Path, export: ExportRequest, edit: EditRequest) -> None:
    """Refuse, before any upload or analysis, outputs that would replace an input or cannot be written."""
    from mcp_highlight.backends.local.intake import is_url
    from mcp_highlight.engine.deliver.outputs import check_outputs, plan_outputs

    shapes = list(dict.fromkeys(export.aspects))
    planned = plan_outputs(
        output,
        other_shapes=[a for a in shapes[1:] if a != (shapes[0] if shapes else None)],
        clips_dir=export.clips_dir,
        timeline_paths=export.timeline_paths,
        previews=[output.with_suffix(".moments.png"), output.with_suffix(".curve.png")] if args.preview else [],
    )
    inputs = [Path(p) for p in [*args.inputs, edit.music, edit.logo] if p and not is_url(p)]
    check_outputs(planned, inputs)


async def _previews(studio: Studio, session_id: str, output: Path) -> dict[str, Any]:
    from mcp_highlight.draft.model import Draft, TrackType
    from mcp_highlight.engine.deliver.preview import excitement_curve

    sheet = await studio.contact_sheet(session_id)
    sheet_out = output.with_suffix(".moments.png")
    sheet_out.write_bytes(sheet.read_bytes())
    state = await studio.state(session_id)
    draft = Draft.model_validate(state.draft)
    curves = {}
    for item in state.media:
        analysis = await studio.analysis(item.id)
        if analysis is None:
            continue
        moments = [
            (seg.m.in_s, seg.m.out_s)
            for track in draft.tracks_of(TrackType.VIDEO)
            for seg in track.sg
            if seg.m.src == item.id
        ]
        out = output.with_suffix(f".curve-{len(curves) + 1}.png" if len(state.media) > 1 else ".curve.png")
        excitement_curve(analysis.times(), analysis.scores(), moments, out, cuts=analysis.scene_cuts)
        curves[item.name] = str(out)
    return {"contact_sheet": str(sheet_out), "curves": curves}


def _analyse(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    from mcp_highlight.engine.judge.analyse import analyse
    from mcp_highlight.engine.media.probe import probe

    settings.ensure_dirs()
    info = probe(Path(args.input), max_bytes=settings.max_bytes, limits=settings.media_limits())
    with terminal_progress("Analysing", quiet=args.quiet) as progress:
        analysis = analyse(info, progress=progress, cache_dir=None if args.no_cache else settings.cache_dir)
    data = analysis.model_dump(mode="json")
    if args.output:
        Path(args.output).write_text(json.dumps(data))
    return data


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import anyio
    import uvicorn

    from mcp_highlight.fronts.http_app import build_http_app
    from mcp_highlight.fronts.server import build_server
    from mcp_highlight.service.studio import Studio

    if args.http:  # remote clients: they read only what the operator allows (source_policy)
        settings = settings.for_remote_clients()
    studio = Studio.from_settings(settings)
    mcp = build_server(studio, download_base=f"http://{args.host}:{args.port}" if args.http else None)
    try:
        if args.http:
            token = settings.http_token.get_secret_value() if settings.http_token else None
            app = build_http_app(
                mcp,
                renders_dir=settings.renders_dir,
                host=args.host,
                port=args.port,
                token=token,
                may_download=studio.owns_render,
            )
            log.info("serving_http", url=f"http://{args.host}:{args.port}/mcp", token_required=bool(token))
            uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
        else:
            mcp.run("stdio")
    finally:
        anyio.run(studio.aclose)


# argument parsing -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mcp-highlight", description="Long recordings in, short 1080p highlight reels out."
    )
    parser.add_argument("--version", action="version", version=f"mcp-highlight {__version__}")
    parser.add_argument("--backend", choices=["local", "cloud"], help="Override MCP_HIGHLIGHT_BACKEND.")
    parser.add_argument("--log-level", default=None, help="debug, info, warning (logs go to stderr).")
    sub = parser.add_subparsers(dest="command")

    reel = sub.add_parser(
        "reel", help="Make a highlight reel from one or more recordings.", conflict_handler="resolve"
    )
    reel.add_argument("inputs", nargs="+", metavar="INPUT", help="Video files (mp4 mov avi mkv webm).")
    add_edit_flags(reel)
    add_export_flags(reel)
    reel.add_argument("-o", "--output", default="highlights.mp4", help="Output MP4 (default highlights.mp4).")
    reel.add_argument("--preview", action="store_true", help="Also write a contact sheet and the excitement curve.")
    reel.add_argument("--json", action="store_true", help="Print a JSON report on stdout.")
    reel.add_argument("-q", "--quiet", action="store_true", help="No progress output.")

    analyse = sub.add_parser("analyse", aliases=["analyze"], help="Print (or write) the excitement scores.")
    analyse.add_argument("input")
    analyse.add_argument("-o", "--output", help="Write the analysis JSON here.")
    analyse.add_argument("--json", action="store_true", help="Print the full analysis JSON on stdout.")
    analyse.add_argument("--no-cache", action="store_true", help="Ignore and don't write the analysis cache.")
    analyse.add_argument("-q", "--quiet", action="store_true")

    serve = sub.add_parser("serve", help="Run the MCP server (stdio unless --http).")
    serve.add_argument("--http", action="store_true", help="Streamable HTTP at /mcp instead of stdio.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)


    doctor = sub.add_parser(
        "doctor", help="What works here (codecs, folders, disk, backend, cloud token), what to do next."
    )
    doctor.add_argument("--json", action="store_true", help="Print the report as JSON.")

    setup = sub.add_parser("setup", help="Add this installation to Claude Desktop's or Cursor's MCP servers.")
    setup.add_argument("client", choices=CLIENTS, help="claude (Claude Desktop) or cursor; the old file is kept.")
    add_cluster_commands(sub)
    return parser


def _without_a_command(parser: argparse.ArgumentParser) -> int | None:
    """Plain `mcp-highlight`: the help for a person at a terminal; otherwise (an MCP client on stdin) it
    says on stderr that it serves MCP, never silently, and returns None to serve."""
    if sys.stdin.isatty():
        parser.print_help(sys.stderr)
        print(
            "\nMCP clients start `mcp-highlight serve` (or plain `mcp-highlight`) and talk on stdin/stdout.",
            file=sys.stderr,
        )
        return 0
    print(NO_COMMAND_NOTICE, file=sys.stderr, flush=True)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None and (code := _without_a_command(parser)) is not None:
        return code
    import anyio

    from mcp_highlight.core.config import Settings
    from mcp_highlight.core.logs import configure_logging
    from mcp_highlight.service.doctor import diagnose

    try:
        settings = Settings.from_env(backend=args.backend)
    except HighlightError as exc:
        print(f"mcp-highlight: {exc}", file=sys.stderr)
        return exc.exit_code
    command = args.command or "serve"
    # a server logs its work; a one-shot command shows progress and keeps the log to warnings unless asked
    default_level = settings.log_level if command in ("serve", "worker") or "MCP_HIGHLIGHT_LOG_LEVEL" in os.environ else "warning"
    configure_logging(args.log_level or default_level)
    if command == "serve" and not hasattr(args, "http"):
        args.http, args.host, args.port = False, "127.0.0.1", 8765
    try:
        if command == "serve":
            _serve(args, settings)
        elif command in CLUSTER_COMMANDS:
            return run_cluster_command(args, settings)
        elif command == "doctor":
            report = anyio.run(diagnose, settings)
            print(report.model_dump_json(indent=2) if args.json else report.text())
            return 0 if report.ok else 1
        elif command == "setup":
            print(install(args.client, env_vars={"MCP_HIGHLIGHT_BACKEND": args.backend} if args.backend else None).text())
        elif command == "reel":
            print_reel(anyio.run(_reel, args, settings), as_json=args.json, quiet=args.quiet)
        elif command in ("analyse", "analyze"):
            data = _analyse(args, settings)
            if args.json:
                print(json.dumps(data))
            else:
                print_analysis_summary(data)
        return 0
    except HighlightError as exc:
        print(f"mcp-highlight: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mcp-highlight: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        log.exception("internal_error")
        print(f"mcp-highlight: internal error ({type(exc).__name__}); details are in the log above.", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    os._exit(main())
