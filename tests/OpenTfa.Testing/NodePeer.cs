namespace OpenTfa.Testing;

/// <summary>The Node.js programs under tests/peers: their packages installed once, then started as a <see cref="PeerProcess"/>.</summary>
public static class NodePeer
{
    /// <summary>What to do when Node.js is missing.</summary>
    public const string NodeHint = "Node.js 20 or later is needed: run ./test.sh, which installs it (or apt-get install -y nodejs npm).";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>Runs <c>npm ci</c> (or <c>npm install</c> without a lock file) in <paramref name="directory"/> when one of
    /// <paramref name="packages"/> is missing from its node_modules; fails saying what to do when that is impossible.</summary>
    public static async Task EnsureInstalledAsync(string directory, params string[] packages)
    {
        await InstallLock.WaitAsync();
        try
        {
            await PeerProcess.RunCheckedAsync(new ProgramStart("node", ["--version"]) { MissingHint = NodeHint }, TimeSpan.FromSeconds(30));
            if (packages.All(p => Installed(directory, p)))
            {
                return;
            }

            string command = File.Exists(Path.Combine(directory, "package-lock.json")) ? "ci" : "install";
            ProgramResult npm = await PeerProcess.RunAsync(
                new ProgramStart("npm", [command, "--no-audit", "--no-fund"]) { WorkingDirectory = directory, MissingHint = NodeHint },
                TimeSpan.FromMinutes(5));
            if (npm.ExitCode != 0 || !packages.All(p => Installed(directory, p)))
            {
                throw new InvalidOperationException($"'npm {command}' in {directory} did not install {string.Join(", ", packages)}: {npm}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Starts <c>node <paramref name="script"/></c> in <paramref name="directory"/>.</summary>
    public static PeerProcess Start(string directory, string script, IReadOnlyList<string> arguments, Action<string>? onLine = null) =>
        PeerProcess.Start(new ProgramStart("node", [script, .. arguments]) { Name = $"node {script}", WorkingDirectory = directory, MissingHint = NodeHint }, onLine);

    private static bool Installed(string directory, string package) =>
        File.Exists(Path.Combine(directory, "node_modules", package, "package.json"));
}
