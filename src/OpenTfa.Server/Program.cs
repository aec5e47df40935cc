using OpenTfa.Server.Hosting;

return await OpenTfaHost.RunAsync(args);
