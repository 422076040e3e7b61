# UDP server (Lab 3 task 1)
import os
from socket import *

serverPort = int(os.environ.get('SERVER_PORT', 12000))
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))
print('The server is ready to receive', flush=True)

# wait for the client's sentence and send it back in capitals
message, clientAddress = serverSocket.recvfrom(65535)
print('Received', len(message), 'bytes from', clientAddress, flush=True)
modifiedMessage = message.upper()
serverSocket.sendto(modifiedMessage, clientAddress)

serverSocket.close()
print('Done, server closed', flush=True)
