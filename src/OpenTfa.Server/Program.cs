using OpenTfa.Server.Hosting;

WebApplication app = OpenTfaHost.Build(args);
await OpenTfaHost.RunAsync(app);
