namespace OpenTfa.Testing;

/// <summary>Folders of the OpenTfa repository these tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder that holds <c>OpenTfa.slnx</c>, found above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The path of <paramref name="relative"/> (e.g. <c>tests/peers/smsc</c>) below <see cref="Root"/>,
    /// which must hold <paramref name="marker"/>.</summary>
    public static string Folder(string relative, string marker)
    {
        string folder = Path.Combine(Root, relative);
        return File.Exists(Path.Combine(folder, marker))
            ? folder
            : throw new InvalidOperationException($"{relative}/{marker} not found in the repository at {Root}.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenTfa.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"OpenTfa.slnx not found above {AppContext.BaseDirectory}.");
    }
}
