namespace OpenTfa.Cli;

/// <summary>Keeps the body of every answer, so that <c>--json</c> prints exactly what the server said.</summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    private readonly List<string> _bodies = [];

    public RecordingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    public IReadOnlyList<string> Bodies => _bodies;

    public string? Last => _bodies.Count == 0 ? null : _bodies[^1];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        _bodies.Add(await response.Content.ReadAsStringAsync(cancellationToken));
        return response;
    }
}
