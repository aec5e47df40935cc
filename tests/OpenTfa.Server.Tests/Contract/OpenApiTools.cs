namespace OpenTfa.Server.Tests.Contract;

/// <summary>The npm tools that check the OpenAPI document, installed in tests/tools/openapi by ./test.sh.</summary>
internal static class OpenApiTools
{
    public static string Folder => Repository.Folder("tests/tools/openapi", "package.json");

    /// <summary>Runs a tool of the folder (from its node_modules/.bin) there, and fails with its output unless it exits with 0.</summary>
    public static Task<ProgramResult> RunAsync(string tool, params string[] arguments) =>
        PeerProcess.RunCheckedAsync(new ProgramStart(Path.Combine(Folder, "node_modules", ".bin", tool), arguments)
        {
            Name = tool,
            WorkingDirectory = Folder,
            Environment = new Dictionary<string, string?> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
            MissingHint = "run ./test.sh, which runs npm ci in tests/tools/openapi",
        }, TimeSpan.FromMinutes(2));

    /// <summary>Runs a script of the folder with node.</summary>
    public static Task<ProgramResult> NodeAsync(string script, params string[] arguments) =>
        PeerProcess.RunCheckedAsync(new ProgramStart("node", [script, .. arguments])
        {
            WorkingDirectory = Folder,
            MissingHint = "run ./test.sh, which installs Node.js",
        }, TimeSpan.FromMinutes(1));
}
