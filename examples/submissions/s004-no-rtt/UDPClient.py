import sys
from socket import *

serverName = 'server'  # name of the server host in the lab
serverPort = 12000

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
message = input('Input lowercase sentence:')
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except OSError as e:
    print('Server not responding:', e)
    sys.exit(1)
print(modifiedMessage.decode())
clientSocket.close()
