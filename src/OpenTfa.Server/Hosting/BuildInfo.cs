using System.Reflection;

namespace OpenTfa.Server.Hosting;

/// <summary>The running version and the commit it was built from, read from the assembly's informational version (<c>0.9.0+&lt;sha&gt;</c>).</summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The release version, without build metadata.</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>The commit the server was built from, or <c>unknown</c> when it was built outside git.</summary>
    public static string Commit { get; } = Informational.Split('+') is [_, { Length: > 0 } sha, ..] ? sha : "unknown";

    /// <summary>One line for <c>--version</c>: <c>OpenTfa 0.9.0 (commit 1a2b3c4d5e6f)</c>.</summary>
    public static string Line => $"OpenTfa {Version} (commit {(Commit.Length > 12 ? Commit[..12] : Commit)})";
}
