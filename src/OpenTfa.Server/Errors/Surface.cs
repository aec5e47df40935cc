namespace OpenTfa.Server.Errors;

/// <summary>Which error shape a path answers in.</summary>
internal static class Surface
{
    public static bool IsInfobip(PathString path) => path.StartsWithSegments("/2fa/2", StringComparison.OrdinalIgnoreCase);

    public static bool IsOwn(PathString path) => path.StartsWithSegments("/opentfa", StringComparison.OrdinalIgnoreCase);
}
